// A call whose media path goes dead: the browsers' peer connections stop
// hearing the server (it is frozen for a few seconds, so nothing answers
// their ICE checks), and each client resumes its session with ICE
// restarted on both connections, rather than waiting ~30 s for the browser
// to call the connection failed and joining again. A signalling link that
// drops alone keeps its ICE (call_flow.spec.ts).
import { execFileSync } from 'node:child_process';
import { test, expect, Page } from '@playwright/test';
import { caller, heard, near, expectHears, pcStates, ufrags } from './callers';
import { openChannel } from './helpers';

/** The pid of the server listening on the test's port (Playwright started it). */
function serverPid(baseURL: string): number {
  const port = new URL(baseURL).port;
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`]).toString();
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`no server on port ${port}: ${out}`);
  return Number(pid);
}

/** Whether every open connection of the page carries its media on a pair
 *  of its current ICE session (the selected pair's local candidate has the
 *  local description's ufrag) and is connected. */
function onCurrentIce(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const pcs = ((window as any).__pcs ?? []).filter((pc: any) => pc.connectionState !== 'closed');
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') return false;
      const ufrag = /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
      const stats = await pc.getStats();
      let pairId: string | undefined;
      stats.forEach((s: any) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
      const local = pairId && stats.get(stats.get(pairId)?.localCandidateId);
      if (!ufrag || local?.usernameFragment !== ufrag) return false;
    }
    return pcs.length === 2;
  });
}

/** Packets from the track at `tone` over one second. */
async function packetRate(page: Page, tone: number) {
  const pick = async () => (await heard(page)).find((h) => near(h.hz, tone));
  const first = await pick();
  await page.waitForTimeout(1000);
  const later = await pick();
  return (later?.packets ?? 0) - (first?.packets ?? 0);
}

test('a media path that goes dead is resumed with ICE restarted both ways: the same session, and the audio comes back', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  const pid = serverPid(baseURL!);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await B.page.locator('#incoming-accept').click();
    await expectHears(A.page, [660], 'alice');
    await expectHears(B.page, [440], 'bob');
    const before = [await ufrags(A.page), await ufrags(B.page)];
    expect(before.flat().every((u) => u !== ''), 'both connections negotiated').toBe(true);

    // Nothing answers either browser until both call their path lost.
    process.kill(pid, 'SIGSTOP');
    try {
      for (const page of [A.page, B.page]) {
        await expect.poll(() => pcStates(page), { timeout: 20_000, message: 'the path goes quiet' })
          .toContain('disconnected');
        // Told at once, while the server is still frozen.
        await expect(page.getByTestId('call-panel').getByText('Reconnecting…')).toBeVisible();
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const back = Date.now();

    // Each resumes its session and restarts ICE on both its connections:
    // new credentials on all four.
    const restarted = async () => {
      const now = [await ufrags(A.page), await ufrags(B.page)];
      return now.every((u, i) => u.length === before[i].length && u.every((f, k) => f !== before[i][k]));
    };
    await expect.poll(restarted, { timeout: 30_000, intervals: [50], message: 'ICE restarted' }).toBe(true);
    for (const page of [A.page, B.page]) {
      await expect.poll(() => onCurrentIce(page), { timeout: 15_000, intervals: [50], message: 'on the new ICE session' })
        .toBe(true);
    }
    console.log(`all four connections on new ICE sessions ${Date.now() - back} ms after the server woke`);
    await expect(A.page.getByTestId('call-panel').getByText('Reconnecting…')).toHaveCount(0);
    await expect(B.page.getByTestId('call-panel').getByText('Reconnecting…')).toHaveCount(0);

    // And they hear each other over the new pairs. (Here the old path came
    // back too, the server having only been frozen; tests/it/sfu_ice_restart.rs
    // shows the restart bringing audio back when the old path is dead.)
    for (const [page, tone, who] of [[A.page, 660, 'alice'], [B.page, 440, 'bob']] as const) {
      await expect.poll(() => packetRate(page, tone), { timeout: 10_000, message: `${who} hears the other` })
        .toBeGreaterThan(25);
    }
    await expectHears(A.page, [660], 'alice');
    await expectHears(B.page, [440], 'bob');
    // A resume saying the path was lost, not a new join.
    for (const page of [A.page, B.page]) {
      const urls: string[] = await page.evaluate(() =>
        (window as any).__asked.filter((u: string) => u.includes('/rtc')));
      expect(urls.filter((u) => !u.includes('reconnect=1')).length, 'one join only').toBe(1);
      expect(urls[urls.length - 1]).toContain('reconnect_reason=3');
    }
    const live = await (await A.page.request.post('/api/call_history', { data: {} })).json();
    expect(live.calls[0].status, 'the call went on').toBe('ACTIVE');
    await A.page.getByRole('button', { name: 'End call' }).click();
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
    await A.browser.close();
    await B.browser.close();
  }
});
