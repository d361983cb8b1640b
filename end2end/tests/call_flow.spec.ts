// Calls through Belfry's own UI and WASM client, with real audio: each
// person is a separate headless Chromium whose fake microphone plays its
// own tone, and each page proves by frequency whom it hears.
import { test, expect, Page } from '@playwright/test';
import { caller, heard, near, expectHears, audioCodecs, pcStates, timeClickToAudio, firstAudioMs, dtlsAfterIceMs, sendingAudio, cutSignalling, restoreSignalling, ufrags } from './callers';
import { api, person, withTone, join, hearing } from './livekit';
import { openChannel } from './helpers';

/** Packets that arrive from the track at `tone` over one second. */
async function packetRate(page: Page, tone: number) {
  const pick = async () => (await heard(page)).find((h) => near(h.hz, tone)) ?? (await heard(page))[0];
  const first = await pick();
  await page.waitForTimeout(1000);
  const later = await pick();
  return { packets: (later?.packets ?? 0) - (first?.packets ?? 0), level: later?.level ?? 0 };
}

const person_row = (page: Page, username: string) =>
  page.locator(`[data-testid=call-person][data-user=${username}]`);

test('alice calls bob from the chat header: he answers, each hears the other, mute silences, hanging up ends it', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(A.page.getByTestId('call-panel')).toBeVisible();
    await expect(A.page.getByTestId('call-clock')).toHaveText('Calling…');
    await expect(person_row(A.page, 'bob')).toContainText('Ringing…');

    // Bob is on another page: the overlay rings there, focus on Accept.
    const overlay = B.page.getByRole('alertdialog');
    await expect(overlay).toContainText('Alice Martin is calling');
    await expect(overlay).toContainText('Voice call');
    await expect(B.page.locator('#incoming-accept')).toBeFocused();
    // Bob answers once Alice's microphone is on the air, as after any real
    // ring; otherwise the figure below would time her setup, not his.
    await expect.poll(() => sendingAudio(A.page), { timeout: 10_000 }).toBe(true);
    await timeClickToAudio(B.page, '#incoming-accept');
    await B.page.locator('#incoming-accept').click();
    await expect(overlay).toHaveCount(0);

    await expectHears(A.page, [660], 'alice');
    await expectHears(B.page, [440], 'bob');
    // Both publish redundant audio (RED) with Opus FEC and DTX, and the
    // SFU forwards it as RED to both.
    for (const page of [A.page, B.page]) {
      const codecs = await audioCodecs(page);
      console.log(`codecs: ${JSON.stringify(codecs)}`);
      expect(codecs.sent).toEqual(['audio/red']);
      expect(codecs.received).toEqual(['audio/red']);
      expect(codecs.fmtp.some((f) => /usedtx=1/.test(f) && /useinbandfec=1/.test(f))).toBe(true);
    }
    for (const [page, tone] of [[A.page, 660], [B.page, 440]] as const) {
      const rate = await packetRate(page, tone);
      expect(rate.packets, 'about 50 packets a second').toBeGreaterThan(25);
      expect(rate.level).toBeGreaterThan(0);
    }
    const ms = await firstAudioMs(B.page);
    console.log(`answer click -> first inbound audio at a track: ${ms?.toFixed(0)} ms`);
    const setup = await dtlsAfterIceMs(B.page);
    console.log(`bob's connections, ICE connected -> DTLS connected: ${setup.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(setup).toHaveLength(2);
    expect(ms).toBeGreaterThan(0);

    // The panels: both connected, the timer running, the other speaking.
    await expect(person_row(B.page, 'alice')).toContainText('Connected');
    await expect(person_row(A.page, 'bob')).toContainText('Connected');
    await expect(A.page.getByTestId('call-clock')).toHaveText(/^\d+:\d\d$/);
    await expect(person_row(B.page, 'alice')).toHaveAttribute('data-speaking', 'true');
    // The SFU grades each connection from its statistics; loopback is excellent.
    await expect(person_row(B.page, 'alice').locator('.quality')).toHaveClass(/q-excellent/);
    await expect(person_row(B.page, 'alice')).toContainText('Excellent connection');

    // Alice mutes: Bob sees it and his side goes quiet; Alice still hears Bob.
    await A.page.getByTestId('mute').click();
    await expect(A.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
    await expect(person_row(B.page, 'alice').locator('.muted-mark')).toBeVisible();
    await expect(person_row(B.page, 'alice')).toHaveAttribute('data-speaking', 'false');
    await B.page.waitForTimeout(1500);
    const quiet = await packetRate(B.page, 440);
    expect(quiet.packets, 'nothing forwarded while muted').toBeLessThan(5);
    expect(quiet.level).toBeLessThan(0.01);
    expect((await packetRate(A.page, 660)).packets).toBeGreaterThan(25);
    // And unmutes: the tone is back.
    await A.page.getByTestId('mute').click();
    await expect(A.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(async () => (await packetRate(B.page, 440)).packets, { message: 'audio resumes' })
      .toBeGreaterThan(25);

    // Alice hangs up: both panels close, every peer connection closes.
    await A.page.waitForTimeout(1200); // a call of more than a second
    await A.page.getByRole('button', { name: 'End call' }).click();
    for (const page of [A.page, B.page]) {
      await expect(page.getByTestId('call-panel')).toHaveCount(0);
      await expect.poll(async () => (await pcStates(page)).every((s) => s === 'closed'),
        { message: 'peer connections closed' }).toBe(true);
      expect((await pcStates(page)).length, 'a publisher and a subscriber').toBeGreaterThanOrEqual(2);
    }
    await expect(B.page.getByTestId('call-announcer')).toContainText('Call ended');
    const history = await (await A.page.request.post('/api/call_history', { data: {} })).json();
    const last = history.calls[0];
    expect(last.status).toBe('ENDED');
    expect(last.duration_ms).toBeGreaterThan(1000);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('a group call of two Belfry clients and livekit-client: everyone hears the other two; a killed browser is seen leaving', async ({ baseURL }) => {
  test.setTimeout(150_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  const carol = await person(baseURL!, 'carol');
  const C = await withTone(880, baseURL!);
  try {
    await openChannel(A.page, 'Choir');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    const overlay = B.page.getByRole('alertdialog');
    await expect(overlay).toContainText('Group call in Choir');
    await B.page.locator('#incoming-accept').click();

    // Carol answers with the official LiveKit client.
    const ringing = await api(carol, 'incoming_calls');
    expect(ringing.length).toBe(1);
    await api(carol, 'answer_call', { call_id: ringing[0].id });
    const access = await api(carol, 'call_token', { call_id: ringing[0].id });
    await join(C.page, access.roomUrl, access.token);

    await expect(A.page.getByTestId('call-panel')).toContainText('Group call in Choir · 3 participants');
    await expectHears(A.page, [660, 880], 'alice');
    await expectHears(B.page, [440, 880], 'bob');
    const me = await Promise.all(['alice', 'bob'].map(async (n) => api(await person(baseURL!, n), 'current_user')));
    for (const [who, tone] of [[me[0], 440], [me[1], 660]] as const) {
      await expect.poll(async () => {
        const h = await hearing(C.page, String(who.id));
        return h !== null && h.level > 0 && near(h.hz, tone);
      }, { timeout: 20_000, message: `carol (livekit-client) hears ${tone} Hz` }).toBe(true);
    }
    // Speaking indicators light for each of the others.
    for (const name of ['bob', 'carol']) {
      await expect(person_row(A.page, name)).toHaveAttribute('data-speaking', 'true');
    }

    // Carol's browser dies: the others see her leave; Alice and Bob go on.
    await C.browser.close();
    for (const page of [A.page, B.page]) {
      await expect(person_row(page, 'carol')).toContainText('Left', { timeout: 20_000 });
    }
    expect((await packetRate(A.page, 660)).packets).toBeGreaterThan(25);

    // Bob leaves from his panel; Alice sees it.
    await B.page.getByRole('button', { name: 'Leave call' }).click();
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0);
    await expect.poll(async () => (await pcStates(B.page)).every((s) => s === 'closed')).toBe(true);
    await expect(person_row(A.page, 'bob')).toContainText('Left');
    await A.page.getByRole('button', { name: 'Leave call' }).click();
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    for (const b of [A.browser, B.browser, C.browser]) await b.close().catch(() => {});
  }
});

test('a dropped signalling link shows "Reconnecting…", is resumed by itself, and the audio never stops', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await B.page.locator('#incoming-accept').click();
    await expectHears(B.page, [440], 'bob');

    // Alice's link to the media server goes down and stays down a while:
    // she is told, and meanwhile Bob goes on hearing her.
    const ice = await ufrags(A.page);
    await cutSignalling(A.page);
    await expect(A.page.getByText('Reconnecting…')).toBeVisible();
    const during = await packetRate(B.page, 440);
    expect(during.packets, 'alice is heard while her link is down').toBeGreaterThan(25);
    // She mutes meanwhile: the server learns it once the link is back.
    await A.page.getByTestId('mute').click();
    await expect(A.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
    await expect(A.page.getByText('Reconnecting…')).toBeVisible();
    await restoreSignalling(A.page);
    await expect(A.page.getByText('Reconnecting…')).toHaveCount(0, { timeout: 15_000 });

    // The same session came back (a resume, not a new join), and the call
    // went on both ways.
    const urls: string[] = await A.page.evaluate(() =>
      (window as any).__asked.filter((u: string) => u.includes('/rtc')));
    expect(urls.filter((u) => !u.includes('reconnect=1')).length, 'one join only').toBe(1);
    expect(urls[urls.length - 1]).toContain('reconnect=1&sid=PA_');
    expect(urls[urls.length - 1], 'only the link dropped').toContain('reconnect_reason=1');
    expect(await ufrags(A.page), 'the media path, never lost, keeps its ICE').toEqual(ice);
    await expect(person_row(B.page, 'alice').locator('.muted-mark')).toBeVisible();
    await B.page.waitForTimeout(500);
    expect((await packetRate(B.page, 440)).packets, 'nothing forwarded while muted').toBeLessThan(5);
    await A.page.getByTestId('mute').click();
    await expect(A.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'false');
    await expect(person_row(B.page, 'alice').locator('.muted-mark')).toHaveCount(0);
    await expect.poll(async () => (await packetRate(B.page, 440)).packets, { message: 'alice is heard' })
      .toBeGreaterThan(25);
    await expectHears(A.page, [660], 'alice after resuming');
    await expect(person_row(B.page, 'alice')).toContainText('Connected');
    const live = await (await A.page.request.post('/api/call_history', { data: {} })).json();
    expect(live.calls[0].status, 'the call survived the drop').toBe('ACTIVE');
    await A.page.getByRole('button', { name: 'End call' }).click();
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});
