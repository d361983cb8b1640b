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

    // Both come back on their own, hearing each other again.
    await expect.poll(() => packetRate(B.page, 440), { timeout: 30_000, message: 'bob hears alice again' })
      .toBeGreaterThan(25);
    await expect.poll(() => packetRate(A.page, 660), { timeout: 30_000, message: 'alice hears bob again' })
      .toBeGreaterThan(25);
    console.log(`audio back both ways ${Date.now() - back} ms after the server woke`);
    await expect(A.page.getByTestId('call-panel').getByText('Reconnecting…')).toHaveCount(0);

    // ICE was restarted on all four connections: new credentials each side.
    const after = [await ufrags(A.page), await ufrags(B.page)];
    for (const [who, i] of [['alice', 0], ['bob', 1]] as const) {
      expect(after[i].length, `${who}'s two connections, still the same`).toBe(before[i].length);
      after[i].forEach((u, k) => expect(u, `${who}'s ufrag ${k} is new`).not.toBe(before[i][k]));
    }
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
