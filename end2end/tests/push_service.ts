// A stand-in push service on loopback for the end-to-end tests (a real one,
// such as FCM, cannot be reached from here): it takes the server's
// encrypted pushes, decrypts them as the browser would (RFC 8291, with
// Node's own crypto), and hands the plaintext to the test, which delivers
// it to the browser's service worker over the DevTools protocol.
import { createServer, Server } from 'node:http';
import { createECDH, createDecipheriv, createHmac, randomBytes, ECDH } from 'node:crypto';

export interface Push {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  message: any;
  plaintext: string;
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, len: number) =>
  hmac(hmac(salt, ikm), Buffer.concat([info, Buffer.from([1])])).subarray(0, len);

/** A browser's subscription keys, and decryption of what is sent to them. */
export class Subscriber {
  ecdh: ECDH = createECDH('prime256v1');
  auth = randomBytes(16);
  constructor() {
    this.ecdh.generateKeys();
  }
  get p256dh() {
    return this.ecdh.getPublicKey().toString('base64url');
  }
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idlen = body[20];
    const sender = body.subarray(21, 21 + idlen);
    const record = body.subarray(21 + idlen);
    const shared = this.ecdh.computeSecret(sender);
    const info = Buffer.concat([Buffer.from('WebPush: info\0'), this.ecdh.getPublicKey(), sender]);
    const ikm = hkdf(this.auth, shared, info, 32);
    const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
    const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (plain[end] !== 2) throw new Error('no last-record delimiter');
    return plain.subarray(0, end).toString('utf8');
  }
}

export class PushService {
  server: Server;
  received: Push[] = [];
  waiters: Array<() => void> = [];
  subscribers = new Map<string, Subscriber>();

  constructor(readonly port: number) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const sub = this.subscribers.get(path);
        if (!sub) {
          res.writeHead(410).end();
          return;
        }
        const plaintext = sub.decrypt(Buffer.concat(chunks));
        this.received.push({ path, headers: req.headers, message: JSON.parse(plaintext), plaintext });
        res.writeHead(201).end();
        this.waiters.splice(0).forEach((w) => w());
      });
    });
  }

  async start() {
    await new Promise<void>((ok) => this.server.listen(this.port, '127.0.0.1', ok));
    return this;
  }

  async stop() {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  /** A new subscription at this service: its endpoint and keys. */
  subscribe(name: string) {
    const sub = new Subscriber();
    this.subscribers.set(`/push/${name}`, sub);
    return {
      endpoint: `http://127.0.0.1:${this.port}/push/${name}`,
      keys: { p256dh: sub.p256dh, auth: sub.auth.toString('base64url') },
    };
  }

  /** The `n`th push (1-based) to `name`, waiting up to 15 s. */
  async nth(name: string, n: number): Promise<Push> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const to = this.received.filter((p) => p.path === `/push/${name}`);
      if (to.length >= n) return to[n - 1];
      if (Date.now() > deadline) throw new Error(`no push #${n} to ${name}`);
      await new Promise<void>((ok) => {
        this.waiters.push(ok);
        setTimeout(ok, 250);
      });
    }
  }
}
