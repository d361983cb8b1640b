// People in calls through Belfry's own UI and WASM client: each in their own
// headless Chromium whose fake microphone plays a known tone, signed in, with
// a probe that records the page's RTCPeerConnections so the test can read
// their stats and find the loudest frequency of each incoming track.
import { chromium, expect, Browser, Locator, Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { openChannel, signIn } from './helpers';
import { writeTone } from './tones';

export interface Caller { browser: Browser; page: Page; errors: string[] }

/** Runs before the app: voice processing off (a steady tone would be
 *  suppressed as noise) and every RTCPeerConnection kept in window.__pcs. */
export function probe() {
  try { localStorage.setItem('belfry.audio.processing', 'off'); } catch { /* about:blank */ }
  const w = window as any;
  const Original = w.RTCPeerConnection;
  if (!Original || w.__pcs) return;
  // Signalling sockets, kept so a test can cut them; while __blockRtc is
  // set, new ones go nowhere (a refused port) as in a network outage.
  const Socket = w.WebSocket;
  w.__sockets = [];
  w.__asked = [];
  const Recording = function (this: any, url: string, ...rest: any[]) {
    w.__asked.push(String(url));
    const target = w.__blockRtc && String(url).includes('/rtc') ? 'ws://127.0.0.1:9/rtc' : url;
    const socket = new Socket(target, ...rest);
    w.__sockets.push(socket);
    return socket;
  } as any;
  Recording.prototype = Socket.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Recording[k] = Socket[k];
  w.WebSocket = Recording;
  w.__pcs = [];
  const Recorded = function (this: any, ...args: any[]) {
    const pc = new Original(...args);
    w.__pcs.push(pc);
    return pc;
  } as any;
  Recorded.prototype = Original.prototype;
  w.RTCPeerConnection = Recorded;
}

export async function caller(baseURL: string, username: string, hz: number,
  viewport = { width: 1280, height: 800 },
  extra: { serviceWorkers?: 'block'; beforeSignIn?: (page: Page) => Promise<void>; signIn?: boolean } = {},
): Promise<Caller> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...chromiumArgs, `--use-file-for-fake-audio-capture=${writeTone(hz)}`],
  });
  const context = await browser.newContext({ baseURL, viewport, serviceWorkers: extra.serviceWorkers });
  // A control that never shows fails its own step, named, not the whole
  // test at its time limit.
  context.setDefaultTimeout(15_000);
  await context.addInitScript(probe);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await extra.beforeSignIn?.(page);
  if (extra.signIn !== false) await signIn(page, username);
  return { browser, page, errors };
}

export interface Heard { packets: number; bytes: number; level: number; hz: number }

/** Every incoming audio track that has had packets: stats and peak frequency. */
export async function heard(page: Page): Promise<Heard[]> {
  return page.evaluate(async () => {
    const w = window as any;
    w.__analysers ??= new Map();
    const out: any[] = [];
    for (const pc of w.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const receiver of pc.getReceivers()) {
        const track = receiver.track;
        if (!track || track.kind !== 'audio' || track.readyState !== 'live') continue;
        let packets = 0, bytes = 0, level = 0;
        (await receiver.getStats()).forEach((s: any) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') {
            packets = s.packetsReceived; bytes = s.bytesReceived; level = s.audioLevel ?? 0;
          }
        });
        if (packets === 0) continue;
        let a = w.__analysers.get(track.id);
        if (!a) {
          const ctx = new AudioContext();
          const analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
          a = { ctx, analyser };
          w.__analysers.set(track.id, a);
        }
        await a.ctx.resume();
        const bins = new Float32Array(a.analyser.frequencyBinCount);
        a.analyser.getFloatFrequencyData(bins);
        let peak = 1;
        for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
        out.push({ packets, bytes, level, hz: (peak * a.ctx.sampleRate) / a.analyser.fftSize });
      }
    }
    return out;
  });
}

export const near = (hz: number, target: number) => Math.abs(hz - target) < 30;

/** Polls until the page hears every tone in `tones` with some level. */
export async function expectHears(page: Page, tones: number[], who: string) {
  for (const tone of tones) {
    await expect.poll(async () => (await heard(page)).some((h) => h.level > 0 && near(h.hz, tone)),
      { timeout: 20_000, message: `${who} hears ${tone} Hz` }).toBe(true);
  }
}

/** The states of the page's peer connections. */
export function pcStates(page: Page): Promise<string[]> {
  return page.evaluate(() => ((window as any).__pcs ?? []).map((pc: any) => pc.connectionState));
}

/** The local and remote ICE ufrags of the page's open peer connections. */
export function ufrags(page: Page): Promise<string[]> {
  return page.evaluate(() => ((window as any).__pcs ?? [])
    .filter((pc: any) => pc.connectionState !== 'closed')
    .flatMap((pc: any) => [pc.localDescription?.sdp, pc.remoteDescription?.sdp])
    .map((sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? ''));
}

/** Whether the page is sending audio (its microphone published). */
export function sendingAudio(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    for (const pc of (window as any).__pcs ?? []) {
      let sent = 0;
      (await pc.getStats()).forEach((s: any) => {
        if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent;
      });
      if (sent > 0) return true;
    }
    return false;
  });
}

/** In the page: from the next click on `selector`, the ms until the first
 *  inbound audio reaches a track (read back with `firstAudioMs`).
 *  Receivers' synchronization sources are read, not getStats: Chrome
 *  answers getStats from a cache up to 50 ms old, which would add up to
 *  50 ms to the figure; a source appears as its first packet is delivered. */
export async function timeClickToAudio(page: Page, selector: string) {
  await page.evaluate((selector) => {
    const w = window as any;
    document.querySelector(selector)!.addEventListener('click', () => {
      const clicked = performance.now();
      // When each connection made after the click reached ICE connected,
      // and then connected (DTLS done), in ms from the click.
      w.__setup = [];
      const record = w.__pcs.push.bind(w.__pcs);
      w.__pcs.push = (pc: any) => {
        const times: any = {};
        w.__setup.push(times);
        pc.addEventListener('iceconnectionstatechange', () => {
          if (pc.iceConnectionState === 'connected') times.ice ??= performance.now() - clicked;
        });
        pc.addEventListener('connectionstatechange', () => {
          if (pc.connectionState === 'connected') times.dtls ??= performance.now() - clicked;
        });
        return record(pc);
      };
      const timer = setInterval(() => {
        for (const pc of w.__pcs ?? []) {
          for (const receiver of pc.getReceivers()) {
            const audio = receiver.track?.kind === 'audio';
            if (audio && receiver.getSynchronizationSources().length > 0 && w.__firstAudioMs === undefined) {
              w.__firstAudioMs = performance.now() - clicked;
              clearInterval(timer);
            }
          }
        }
      }, 2);
    }, { capture: true, once: true });
  }, selector);
}

/** For each connection made after the timed click: ms from ICE connected
 *  to connected (DTLS done). */
export function dtlsAfterIceMs(page: Page): Promise<number[]> {
  return page.evaluate(() => ((window as any).__setup ?? [])
    .filter((t: any) => t.ice !== undefined && t.dtls !== undefined)
    .map((t: any) => Math.max(0, t.dtls - t.ice)));
}

export function firstAudioMs(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as any).__firstAudioMs);
}

/** Cuts the page's signalling link and keeps it down until `restore`. */
export async function cutSignalling(page: Page) {
  await page.evaluate(() => {
    const w = window as any;
    w.__blockRtc = true;
    for (const s of w.__sockets) if (String(s.url).includes('/rtc')) s.close();
  });
}

export async function restoreSignalling(page: Page) {
  await page.evaluate(() => { (window as any).__blockRtc = false; });
}

/** Alice calls Bob and he answers; returns once she hears him. */
export async function startCall(A: Caller, B: Caller) {
  await openChannel(A.page, 'Bob Okafor');
  await A.page.getByRole('button', { name: 'Start voice call' }).click();
  await B.page.locator('#incoming-accept').click();
  await expectHears(A.page, [660], 'alice');
}

/** Ends the call from the first page and waits until neither shows it: a
 *  call left up would be rejoined by the next test's fresh tabs. */
export async function hangUp(from: Page, other: Page) {
  await from.getByRole('button', { name: 'End call' }).click();
  for (const page of [from, other]) await expect(page.getByTestId('call-panel')).toHaveCount(0);
}

/** Alice mutes and unmutes, and each still hears the other: the call is
 *  alive (while some other part of the page failed to load). */
export async function expectCallAlive(A: Caller, B: Caller) {
  const mute = A.page.getByTestId('mute');
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'true');
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
  await expectHears(A.page, [660], 'alice');
  await expectHears(B.page, [440], 'bob');
}

/** A "did not load" notice's "Try again": while `chunk` is still refused
 *  it is refused once more and the button comes back; then, with the
 *  network back (the route removed), it is pressed again. */
export async function tryAgainThenOnline(page: Page, chunk: RegExp, notice: Locator, refused: () => number) {
  const again = notice.getByRole('button', { name: 'Try again' });
  const before = refused();
  await again.click();
  await expect.poll(refused).toBe(before + 1);
  await expect(again).toBeEnabled();
  await page.unroute(chunk);
  await again.click();
}

/** The codecs the page's audio senders and receivers negotiated, first
 *  first (what the browser sends with: `audio/red` wraps Opus; Chrome's
 *  stats name the Opus inside either way), and Opus's format lines. */
export async function audioCodecs(page: Page): Promise<{ sent: string[]; received: string[]; fmtp: string[] }> {
  return page.evaluate(async () => {
    const out = { sent: [] as string[], received: [] as string[], fmtp: [] as string[] };
    for (const pc of (window as any).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const t of pc.getTransceivers()) {
        if (t.currentDirection === 'stopped' || t.currentDirection === 'inactive') continue;
        if (t.sender.track?.kind === 'audio') {
          out.sent.push(t.sender.getParameters().codecs?.[0]?.mimeType ?? '');
        }
        if (t.currentDirection === 'recvonly') {
          out.received.push(t.receiver.getParameters().codecs?.[0]?.mimeType ?? '');
        }
        for (const c of t.sender.getParameters().codecs ?? []) {
          if (/opus/i.test(c.mimeType) && t.sender.track) out.fmtp.push(c.sdpFmtpLine ?? '');
        }
      }
    }
    return out;
  });
}
