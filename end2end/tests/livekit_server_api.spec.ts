// LiveKit's own server SDK (livekit-server-sdk on npm) as the judge of the
// embedded SFU's server API: its RoomServiceClient lists rooms and
// participants, mutes a track (the listener's audio stops, in Chromium),
// removes a participant (her session ends and her old token is refused),
// and its WebhookReceiver accepts every webhook the SFU sent and refuses
// one whose body was altered. The SFU is a Belfry of its own, started for
// this spec with a known key pair and a webhook endpoint.
import { test, expect } from '@playwright/test';
import { RoomServiceClient, WebhookReceiver } from 'livekit-server-sdk';
import { api, directCall, withTone, join, hearing, near } from './livekit';
import { KEY, SECRET, startBelfry, webhookEndpoint } from './servers';

test('the official server SDK manages the embedded SFU and accepts its webhooks', async () => {
  test.setTimeout(150_000);
  const hooks = await webhookEndpoint();
  const belfry = await startBelfry([], {
    BELFRY_DEMO: 'true', BELFRY_DEMO_PASSWORD: 'demo-password',
    BELFRY_LIVEKIT_API_KEY: KEY, BELFRY_LIVEKIT_API_SECRET: SECRET,
    BELFRY_WEBHOOK_URLS: hooks.url,
  });
  const A = await withTone(440, belfry.url);
  const B = await withTone(660, belfry.url);
  try {
    const { alice, bob, a, b } = await directCall(belfry.url);
    const room = a.roomName ?? a.room_name;
    const aliceId = String((await api(alice, 'current_user')).id);
    const bobId = String((await api(bob, 'current_user')).id);
    await join(A.page, a.roomUrl ?? a.room_url, a.token);
    await join(B.page, b.roomUrl ?? b.room_url, b.token);
    await expect.poll(async () => {
      const h = await hearing(B.page);
      return h !== null && h.level > 0 && near(h.hz, 440);
    }, { timeout: 20_000, message: 'bob hears alice' }).toBe(true);

    const svc = new RoomServiceClient(belfry.url, KEY, SECRET);
    // Rooms and participants, as LiveKit lists them.
    const rooms = await svc.listRooms();
    const listed = rooms.find((r) => r.name === room);
    expect(listed, 'the call room is listed').toBeTruthy();
    expect(listed!.numParticipants).toBe(2);
    expect(listed!.sid).toMatch(/^RM_/);
    expect((await svc.listRooms([room])).map((r) => r.name)).toEqual([room]);
    const people = await svc.listParticipants(room);
    expect(people.map((p) => p.identity).sort()).toEqual([aliceId, bobId].sort());
    const alicesTrack = people.find((p) => p.identity === aliceId)!.tracks[0];
    expect(alicesTrack.sid).toMatch(/^TR_/);
    expect(alicesTrack.muted).toBe(false);

    // Muting alice's track: bob's audio stops, and LiveKit's view agrees.
    const muted = await svc.mutePublishedTrack(room, aliceId, alicesTrack.sid, true);
    expect(muted.muted).toBe(true);
    await B.page.waitForTimeout(1500);
    const m1 = (await hearing(B.page))!;
    await B.page.waitForTimeout(1000);
    const m2 = (await hearing(B.page))!;
    expect(m2.packets - m1.packets, 'no audio forwarded while muted').toBeLessThan(5);
    const after = await svc.listParticipants(room);
    expect(after.find((p) => p.identity === aliceId)!.tracks[0].muted).toBe(true);
    // Alice still hears bob: only her track was muted.
    const h1 = (await hearing(A.page))!;
    await A.page.waitForTimeout(1000);
    expect((await hearing(A.page))!.packets - h1.packets).toBeGreaterThan(25);

    // Removing bob ends his session, and his old token stays out.
    await B.page.evaluate(() => {
      const w = window as any;
      w.left = null;
      w.room.on(w.LivekitClient.RoomEvent.Disconnected, (reason: any) => { w.left = reason; });
    });
    await svc.removeParticipant(room, bobId);
    await expect.poll(() => B.page.evaluate(() => (window as any).room.state),
      { timeout: 5_000, message: "bob's session ends" }).toBe('disconnected');
    // livekit-client's DisconnectReason.PARTICIPANT_REMOVED is 4.
    expect(await B.page.evaluate(() => (window as any).left)).toBe(4);
    const again = await fetch(`${belfry.url}/rtc/validate?access_token=${b.token}`);
    expect(again.status, 'the removed token is refused').toBe(403);
    expect((await svc.listParticipants(room)).map((p) => p.identity)).toEqual([aliceId]);

    // Twirp's errors: an unknown room, another secret, a missing grant.
    await expect(svc.listParticipants('no-such-room')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const stranger = new RoomServiceClient(belfry.url, KEY, 'not-the-secret-not-the-secret-00');
    await expect(stranger.listRooms()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });

    // Every webhook the SFU sent passes LiveKit's own receiver; an altered
    // one does not.
    await expect.poll(() => hooks.got.length, { message: 'webhooks arrive' }).toBeGreaterThanOrEqual(4);
    const receiver = new WebhookReceiver(KEY, SECRET);
    const events = [];
    for (const hook of hooks.got) events.push(await receiver.receive(hook.body, hook.auth));
    const names = events.filter((e) => e.room?.name === room).map((e) => e.event);
    expect(names[0]).toBe('room_started');
    expect(names.filter((n) => n === 'participant_joined')).toHaveLength(2);
    expect(names).toContain('participant_left');
    const leftEvent = events.find((e) => e.event === 'participant_left')!;
    expect(leftEvent.participant?.identity).toBe(bobId);
    expect(new Set(events.map((e) => e.id)).size, 'every event has its own id').toBe(events.length);
    const altered = hooks.got[0].body.replace('room_started', 'room_finished');
    await expect(receiver.receive(altered, hooks.got[0].auth)).rejects.toThrow(/sha256/);
  } finally {
    await A.browser.close();
    await B.browser.close();
    await belfry.stop();
    await hooks.close();
  }
});
