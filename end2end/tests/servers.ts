// More Belfry processes for one spec: the app or the media role, each on a
// free loopback port with its own database, stopped by its PID when the
// spec ends. And a small webhook endpoint that keeps what it is sent, or
// passes it on to another server unless blocked.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const KEY = 'APIe2eMediaHost';
export const SECRET = 'an-e2e-media-host-secret-of-32-chars';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Belfry { url: string; port: number; proc: ChildProcess; log: string[]; stop: () => Promise<void> }

/** Starts `belfry [args]` with `env` on `port` (a free one if not given)
 *  and waits for /healthz. */
export async function startBelfry(args: string[], env: Record<string, string>, given?: number): Promise<Belfry> {
  const port = given ?? await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'belfry-e2e-'));
  const proc = spawn(process.env.BELFRY_BIN!, args, {
    env: {
      PATH: process.env.PATH ?? '',
      BELFRY_ADDR: `127.0.0.1:${port}`,
      BELFRY_DATABASE_URL: `sqlite://${data}/belfry.db`,
      BELFRY_SITE_ROOT: process.env.BELFRY_SITE_ROOT ?? '',
      BELFRY_MEDIA_UDP: '127.0.0.1:0',
      BELFRY_MEDIA_TCP: '127.0.0.1:0',
      BELFRY_LOG: process.env.BELFRY_LOG ?? 'warn',
      BELFRY_SIGNIN_FREE_TRIES_PER_ADDRESS: '1000',
      BELFRY_RINGS_PER_MINUTE: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(data, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`belfry ${args.join(' ')} exited: ${log.join('')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, port, proc, log, stop };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`belfry ${args.join(' ')} did not start: ${log.join('')}`);
}

export interface Hook { body: string; auth: string }

/** A webhook endpoint: keeps every delivery; passes it on to `forward()`
 *  (when set) unless `blocked`. */
export async function webhookEndpoint() {
  const port = await freePort();
  const got: Hook[] = [];
  const state = { blocked: false, forward: undefined as string | undefined, passed: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      got.push({ body, auth: String(req.headers.authorization ?? '') });
      if (state.blocked) { res.statusCode = 503; return res.end(); }
      if (!state.forward) { res.statusCode = 200; return res.end(); }
      try {
        const out = await fetch(state.forward, {
          method: 'POST', body,
          headers: { 'content-type': String(req.headers['content-type'] ?? ''), authorization: String(req.headers.authorization ?? '') },
        });
        state.passed += 1;
        res.statusCode = out.status;
      } catch { res.statusCode = 502; }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}/hook`, got, state, close: () => new Promise((r) => server.close(r)) };
}

/** A throwaway PostgreSQL cluster (.ci/postgres); its admin URL. */
export function startPostgres(): { url: string; stop: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belfry-pg-'));
  const script = path.join(__dirname, '../../.ci/postgres');
  const url = execFileSync(script, ['start', dir]).toString().trim();
  return { url, stop: () => { execFileSync(script, ['stop', dir]); } };
}

/** A TCP proxy on a free port: each connection goes to the first backend
 *  that accepts it (a load balancer that skips a dead instance). */
export async function proxy(backends: () => number[]) {
  const port = await freePort();
  const server = net.createServer((client) => {
    client.pause();
    const order = backends();
    const attempt = (i: number) => {
      if (i >= order.length) { client.destroy(); return; }
      const upstream = net.connect(order[i], '127.0.0.1');
      upstream.once('error', () => attempt(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream); upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
