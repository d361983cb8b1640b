// Interoperability: the official livekit-client (npm), in a plain page of two
// separate headless Chromiums with fake microphones playing different tones,
// joins a call's room on Belfry's embedded SFU. Each hears the other's tone
// (peak frequency), muting silences that side, and when both leave, call
// control sees the media go and ends the call.
import { test, expect } from '@playwright/test';
import { api, person, withTone, join, hearing, near, directCall } from './livekit';

test('livekit-client joins the embedded SFU and each side hears the other', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const { alice, bob, direct, call, a, b } = await directCall(baseURL!);

  const A = await withTone(440, baseURL!);
  const B = await withTone(660, baseURL!);
  try {
    await join(A.page, a.roomUrl ?? a.room_url, a.token);
    await join(B.page, b.roomUrl ?? b.room_url, b.token);

    // Each hears the other's tone, and the audio keeps arriving.
    for (const [page, tone] of [[A.page, 660], [B.page, 440]] as const) {
      await expect.poll(async () => {
        const h = await hearing(page);
        return h !== null && h.level > 0 && near(h.hz, tone);
      }, { timeout: 20_000, message: `hears ${tone} Hz` }).toBe(true);
      const first = (await hearing(page))!;
      await page.waitForTimeout(1000);
      const later = (await hearing(page))!;
      expect(later.packets - first.packets, 'about 50 packets a second').toBeGreaterThan(25);
      expect(later.bytes).toBeGreaterThan(first.bytes);
    }

    // speakers_changed reaches the client: the other side is speaking.
    for (const page of [A.page, B.page]) {
      await expect.poll(() => page.evaluate(() => {
        const room = (window as any).room;
        return room.activeSpeakers.some((p: any) => p.identity !== room.localParticipant.identity);
      }), { message: 'the remote participant shows as speaking' }).toBe(true);
    }

    // Alice mutes: Bob's side goes quiet, and Bob is told.
    await A.page.evaluate(() => (window as any).room.localParticipant.setMicrophoneEnabled(false));
    await expect.poll(async () => B.page.evaluate(() => {
      const w = window as any;
      const alice = [...w.room.remoteParticipants.values()][0];
      return [...alice.audioTrackPublications.values()].every((p: any) => p.isMuted);
    }), { message: 'bob sees alice muted' }).toBe(true);
    await B.page.waitForTimeout(1500);
    const m1 = (await hearing(B.page))!;
    await B.page.waitForTimeout(1000);
    const m2 = (await hearing(B.page))!;
    expect(m2.packets - m1.packets, 'no audio forwarded while muted').toBeLessThan(5);
    expect(m2.level).toBeLessThan(0.01);
    // Bob still hears nothing wrong on his side: Alice still hears him.
    const a1 = (await hearing(A.page))!;
    await A.page.waitForTimeout(1000);
    expect((await hearing(A.page))!.packets - a1.packets).toBeGreaterThan(25);

    // Both leave: the peer connections close and call control ends the call.
    for (const page of [A.page, B.page]) {
      await page.evaluate(() => (window as any).room.disconnect());
      expect(await page.evaluate(() => (window as any).room.state)).toBe('disconnected');
    }
    await expect.poll(async () => (await api(alice, 'active_call', { channel_id: direct.id })),
      { timeout: 15_000, message: 'the call ends once its media is gone' }).toBeNull();
    const history = await api(alice, 'call_history', { channel_id: direct.id });
    const ended = history.calls.find((c: any) => c.id === call.id);
    expect(ended.status).toBe('ENDED');
    expect(ended.duration_ms ?? ended.durationMs).toBeGreaterThan(1000);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('a three-person group call: everyone hears the other two; a killed tab is seen leaving', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const names = ['alice', 'bob', 'carol'];
  const tones = [440, 660, 880];
  const ctxs = await Promise.all(names.map((n) => person(baseURL!, n)));
  const spaces = await api(ctxs[0], 'my_spaces');
  const choir = spaces.channels.find((c: any) => c.kind === 'group');
  expect(choir, 'the demo has a group channel').toBeTruthy();
  const call = await api(ctxs[0], 'initiate_call', { channel_id: choir.id });
  const me = await Promise.all(ctxs.map((c) => api(c, 'current_user')));
  for (const c of ctxs.slice(1)) await api(c, 'answer_call', { call_id: call.id });
  const access = await Promise.all(ctxs.map((c) => api(c, 'call_token', { call_id: call.id })));
  const browsers = await Promise.all(tones.map((hz) => withTone(hz, baseURL!)));
  try {
    for (let i = 0; i < 3; i++) {
      await join(browsers[i].page, access[i].roomUrl ?? access[i].room_url, access[i].token);
    }
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        await expect.poll(async () => {
          const h = await hearing(browsers[i].page, String(me[j].id));
          return h !== null && h.level > 0 && near(h.hz, tones[j]);
        }, { timeout: 20_000, message: `${names[i]} hears ${names[j]} (${tones[j]} Hz)` }).toBe(true);
      }
    }

    // Carol's browser dies: the others see her go, and so does call control.
    await browsers[2].browser.close();
    for (const page of [browsers[0].page, browsers[1].page]) {
      await expect.poll(() => page.evaluate(() => (window as any).room.remoteParticipants.size),
        { timeout: 10_000, message: 'carol leaves the room' }).toBe(1);
    }
    await expect.poll(async () => {
      const live = await api(ctxs[0], 'active_call', { channel_id: choir.id });
      const carol = live?.participants.find((p: any) => p.user.id === me[2].id);
      return carol?.status;
    }, { timeout: 15_000, message: "carol's participant state follows" }).toBe('DISCONNECTED');
    // Alice and Bob still hear each other.
    const h1 = (await hearing(browsers[0].page, String(me[1].id)))!;
    await browsers[0].page.waitForTimeout(1000);
    expect((await hearing(browsers[0].page, String(me[1].id)))!.packets - h1.packets).toBeGreaterThan(25);
  } finally {
    for (const b of browsers) await b.browser.close().catch(() => {});
    // Leave no one in the call for the tests after this one.
    for (const c of ctxs) await c.post('/api/leave_call', { data: { call_id: call.id } }).catch(() => {});
  }
});

test('livekit-client resumes a dropped signalling link: the same session, and the audio never stops', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const { alice, bob, direct, call, a, b } = await directCall(baseURL!);
  const A = await withTone(440, baseURL!);
  const B = await withTone(660, baseURL!);
  try {
    await join(A.page, a.roomUrl ?? a.room_url, a.token);
    await join(B.page, b.roomUrl ?? b.room_url, b.token);
    await expect.poll(async () => {
      const h = await hearing(A.page);
      return h !== null && h.level > 0 && near(h.hz, 660);
    }, { timeout: 20_000, message: 'alice hears bob' }).toBe(true);
    const sidBefore = await B.page.evaluate(() => (window as any).room.localParticipant.sid);
    await B.page.evaluate(() => {
      const w = window as any;
      const LK = w.LivekitClient;
      w.events = [];
      for (const name of ['SignalReconnecting', 'Reconnecting', 'Reconnected', 'Disconnected']) {
        w.room.on(LK.RoomEvent[name], () => w.events.push(name));
      }
    });
    const heard = (await hearing(A.page))!;

    // Bob's signalling socket drops; his client resumes it.
    await B.page.evaluate(() => (window as any).room.simulateScenario('signal-reconnect'));
    await expect.poll(() => B.page.evaluate(() => (window as any).events),
      { timeout: 20_000, message: 'bob resumed' }).toContain('Reconnected');
    const events: string[] = await B.page.evaluate(() => (window as any).events);
    expect(events, 'a resume, not a full rejoin').toEqual(['SignalReconnecting', 'Reconnected']);
    expect(await B.page.evaluate(() => (window as any).room.localParticipant.sid)).toBe(sidBefore);
    expect(await A.page.evaluate(() => [...(window as any).room.remoteParticipants.values()].map((p: any) => p.sid)))
      .toEqual([sidBefore]);

    // Alice's audio from Bob flowed all along, and goes on; the link works
    // (his mute reaches her).
    const after = (await hearing(A.page))!;
    expect(after.packets - heard.packets).toBeGreaterThan(25);
    await A.page.waitForTimeout(1000);
    expect((await hearing(A.page))!.packets - after.packets, 'about 50 packets a second').toBeGreaterThan(25);
    await B.page.evaluate(() => (window as any).room.localParticipant.setMicrophoneEnabled(false));
    await expect.poll(async () => A.page.evaluate(() => {
      const bob = [...(window as any).room.remoteParticipants.values()][0];
      return [...bob.audioTrackPublications.values()].every((p: any) => p.isMuted);
    }), { message: 'alice sees bob muted after the resume' }).toBe(true);
    const live = await api(alice, 'active_call', { channel_id: direct.id });
    expect(live?.id, 'the call went on').toBe(call.id);
  } finally {
    await A.browser.close();
    await B.browser.close();
    for (const c of [alice, bob]) await c.post('/api/leave_call', { data: { call_id: call.id } }).catch(() => {});
  }
});
