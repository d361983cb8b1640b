// LiveKit's native SDK (@livekit/rtc-node: the Rust SDK and libwebrtc, as
// bots, recorders and native apps use it) as the judge of the embedded SFU:
// two native peers hear each other's tones, a native peer and Belfry's own
// client in Chromium hear each other, and a native peer's mute stops its
// audio at the other side. libwebrtc gathers no loopback candidates, so
// this runs inside a network namespace (.ci/e2e-netns) where the SFU's UDP
// socket is on one end of a veth pair; the web and signalling stay on the
// namespace's own loopback.
import { test, expect } from '@playwright/test';
import { RoomServiceClient } from 'livekit-server-sdk';
import { caller, expectHears, heard, near } from './callers';
import { api, person } from './livekit';
import { nativePeer, nativeToken, NativePeer } from './native';
import { KEY, SECRET, startBelfry } from './servers';

const HOST = process.env.E2E_NETNS_HOST ?? '';
test.skip(!HOST, 'needs a network namespace: .ci/e2e-netns runs this');

const media = { BELFRY_MEDIA_UDP: `${HOST}:0`, BELFRY_MEDIA_TCP: 'off' };

async function expectNativeHears(peer: NativePeer, from: string, hz: number, who: string) {
  await expect.poll(() => {
    const h = peer.hearing(from);
    return h !== null && h.rms > 300 && near(h.hz, hz);
  }, { timeout: 20_000, message: `${who} hears ${hz} Hz` }).toBe(true);
}

test('two native SDK peers hear each other through the embedded SFU, and a mute silences one', async () => {
  test.setTimeout(90_000);
  const belfry = await startBelfry(['media'], {
    ...media, BELFRY_LIVEKIT_API_KEY: KEY, BELFRY_LIVEKIT_API_SECRET: SECRET,
  });
  const url = belfry.url.replace('http', 'ws');
  const peers: NativePeer[] = [];
  try {
    const a = await nativePeer(url, await nativeToken(KEY, SECRET, 'native-room', 'native-a'), 440);
    peers.push(a);
    const b = await nativePeer(url, await nativeToken(KEY, SECRET, 'native-room', 'native-b'), 660);
    peers.push(b);
    await expectNativeHears(a, 'native-b', 660, 'native-a');
    await expectNativeHears(b, 'native-a', 440, 'native-b');

    // A mutes: the SFU records it, and B hears silence from A while A still
    // hears B.
    a.mute(true);
    const svc = new RoomServiceClient(belfry.url, KEY, SECRET);
    await expect.poll(async () => {
      const people = await svc.listParticipants('native-room');
      return people.find((p) => p.identity === 'native-a')?.tracks[0]?.muted;
    }, { message: 'the SFU sees the native mute' }).toBe(true);
    await expect.poll(() => b.hearing('native-a')!.rms, { message: 'B hears nothing from A' }).toBeLessThan(50);
    await expectNativeHears(a, 'native-b', 660, 'native-a, after muting');
    a.mute(false);
    await expectNativeHears(b, 'native-a', 440, 'native-b, after the unmute');
  } finally {
    for (const p of peers) await p.leave().catch(() => {});
    await belfry.stop();
  }
});

test('a native SDK peer with a call token and Belfry’s own client in Chromium hear each other', async () => {
  test.setTimeout(120_000);
  const belfry = await startBelfry([], {
    ...media, BELFRY_DEMO: 'true', BELFRY_DEMO_PASSWORD: 'demo-password',
  });
  const A = await caller(belfry.url, 'alice', 440);
  let bobNative: NativePeer | undefined;
  try {
    // Bob rings from his own app (a native one); alice answers in Belfry.
    const bob = await person(belfry.url, 'bob');
    const spaces = await api(bob, 'my_spaces');
    const direct = spaces.channels.find((c: any) => c.kind === 'direct');
    const call = await api(bob, 'initiate_call', { channel_id: direct.id });
    await A.page.locator('#incoming-accept').click();
    const access = await api(bob, 'call_token', { call_id: call.id });
    bobNative = await nativePeer(access.room_url ?? access.roomUrl, access.token, 660);
    await expectHears(A.page, [660], 'alice (Chromium, Belfry’s client)');
    await expect.poll(() => {
      const from = [...bobNative!.room.remoteParticipants.keys()][0];
      const h = from === undefined ? null : bobNative!.hearing(from);
      return h !== null && h.rms > 300 && near(h.hz, 440);
    }, { timeout: 20_000, message: 'bob (native) hears alice' }).toBe(true);

    // Bob mutes in his app: alice's page stops receiving his audio.
    bobNative.mute(true);
    await A.page.waitForTimeout(1500);
    const before = (await heard(A.page)).reduce((n, h) => n + h.packets, 0);
    await A.page.waitForTimeout(1000);
    const after = (await heard(A.page)).reduce((n, h) => n + h.packets, 0);
    expect(after - before, 'nothing forwarded from a muted native peer').toBeLessThan(5);
    bobNative.mute(false);
    await expect.poll(async () => (await heard(A.page)).reduce((n, h) => n + h.packets, 0),
      { message: 'his audio comes back on unmute' }).toBeGreaterThan(after + 20);
  } finally {
    await bobNative?.leave().catch(() => {});
    await A.browser.close();
    await belfry.stop();
  }
});
