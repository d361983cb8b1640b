// The official livekit-client (npm UMD build) in a plain page of its own
// headless Chromium, whose fake microphone plays a known tone; and the JSON
// API as a signed-in person, for tokens and call state.
import { expect, chromium, request, APIRequestContext, Browser, Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { PASSWORD } from './helpers';
import { writeTone } from './tones';
import * as path from 'path';

const LIVEKIT_UMD = path.join(__dirname, '../node_modules/livekit-client/dist/livekit-client.umd.js');

export async function api(ctx: APIRequestContext, name: string, args: object = {}) {
  const res = await ctx.post(`/api/${name}`, { data: args });
  expect(res.status(), `${name}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

export async function person(baseURL: string, username: string) {
  const ctx = await request.newContext({ baseURL });
  await api(ctx, 'sign_in', { username, password: PASSWORD });
  return ctx;
}

/** Alice calls Bob in their direct channel and he answers: both signed
 * in, the call, and each one's room access. */
export async function directCall(baseURL: string) {
  const alice = await person(baseURL, 'alice');
  const bob = await person(baseURL, 'bob');
  const spaces = await api(alice, 'my_spaces');
  const direct = spaces.channels.find((c: any) => c.kind === 'direct');
  expect(direct, 'the demo has a direct channel').toBeTruthy();
  const call = await api(alice, 'initiate_call', { channel_id: direct.id });
  await api(bob, 'answer_call', { call_id: call.id });
  const a = await api(alice, 'call_token', { call_id: call.id });
  const b = await api(bob, 'call_token', { call_id: call.id });
  return { alice, bob, direct, call, a, b };
}

/** A browser whose fake microphone plays `hz`, on a page with livekit-client. */
export async function withTone(hz: number, baseURL: string): Promise<{ browser: Browser; page: Page }> {
  const wav = writeTone(hz);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...chromiumArgs, `--use-file-for-fake-audio-capture=${wav}`],
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`[page ${hz}] ${e}`));
  await page.goto(`${baseURL}/healthz`);
  await page.addScriptTag({ path: LIVEKIT_UMD });
  return { browser, page };
}

/** Joins the room and publishes the microphone (tone-friendly settings). */
export async function join(page: Page, url: string, token: string) {
  await page.evaluate(async ({ url, token }) => {
    const LK = (window as any).LivekitClient;
    const w = window as any;
    const room = new LK.Room();
    w.room = room;
    w.remotes = {};
    room.on(LK.RoomEvent.TrackSubscribed, (track: any, _pub: any, participant: any) => {
      document.body.appendChild(track.attach());
      const ctx = new AudioContext();
      const source = ctx.createMediaStreamSource(new MediaStream([track.mediaStreamTrack]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      source.connect(analyser);
      w.remote = { track, ctx, analyser };
      w.remotes[participant.identity] = w.remote;
    });
    await room.connect(url, token);
    await room.localParticipant.setMicrophoneEnabled(true, {
      echoCancellation: false, noiseSuppression: false, autoGainControl: false,
    });
  }, { url, token });
}

/** What the page receives: inbound audio stats and the loudest frequency. */
export async function hearing(page: Page, from?: string) {
  return page.evaluate(async (from) => {
    const w = window as any;
    const remote = from === undefined ? w.remote : w.remotes[from];
    if (!remote) return null;
    const { track, ctx, analyser } = remote;
    await ctx.resume();
    let bytes = 0, packets = 0, level = 0;
    const stats: RTCStatsReport = await track.receiver.getStats();
    stats.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        bytes = s.bytesReceived; packets = s.packetsReceived; level = s.audioLevel ?? 0;
      }
    });
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let peak = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
    const hz = (peak * ctx.sampleRate) / analyser.fftSize;
    return { bytes, packets, level, hz, peakDb: bins[peak] };
  }, from);
}

export function near(hz: number, target: number) {
  return Math.abs(hz - target) < 30;
}

