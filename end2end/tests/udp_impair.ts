// A lossy, jittery path for the loss benchmark, in user space (this
// machine's kernel has no netem): a UDP relay on the address the SFU
// advertises (BELFRY_MEDIA_ADVERTISE) that passes each datagram on to the
// SFU and back, dropping `loss` of them at random and delaying each by
// 15-45 ms (30 ms of jitter), in both directions. Every browser's link to
// the SFU goes through it: a publisher's audio crosses two lossy links
// (its own uplink, the listener's downlink), as with netem on each.
import dgram from 'node:dgram';

export interface Impairment { close: () => void; dropped: () => number; passed: () => number }

export async function impair(listen: { host: string; port: number }, sfu: { host: string; port: number },
  loss: number): Promise<Impairment> {
  const front = dgram.createSocket('udp4');
  const backs = new Map<string, dgram.Socket>();
  let dropped = 0, passed = 0;
  const later = (send: () => void) => {
    if (Math.random() < loss) { dropped++; return; }
    passed++;
    setTimeout(send, 15 + Math.random() * 30);
  };
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let back = backs.get(key);
    if (!back) {
      const socket = dgram.createSocket('udp4');
      socket.bind(0, listen.host);
      socket.on('message', (reply) => later(() => front.send(reply, from.port, from.address)));
      backs.set(key, socket);
      back = socket;
    }
    const b = back;
    later(() => b.send(msg, sfu.port, sfu.host));
  });
  await new Promise<void>((done) => front.bind(listen.port, listen.host, done));
  return {
    close: () => { front.close(); for (const b of backs.values()) b.close(); },
    dropped: () => dropped,
    passed: () => passed,
  };
}
