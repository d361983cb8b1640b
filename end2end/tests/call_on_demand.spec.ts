// The call UI's parts that open on demand (the Audio menu, "Add people", a
// parish channel's member picker) have their code in a chunk of their own,
// split out of the main WASM: a page with a call fetches it only when one of
// them opens, and a fetch that fails leaves the call as it was and offers to
// try again. ("Add people" and the picker are used in call_history.spec.ts
// and call_busy.spec.ts.)
import { test, expect } from '@playwright/test';
import { caller, expectCallAlive, startCall, hangUp, tryAgainThenOnline } from './callers';

test('the Audio menu fetches its code when first opened; when that fails the call goes on and the menu offers to try again', async ({ baseURL }) => {
  test.setTimeout(90_000);
  // No service worker, so the page's own fetches are what the route sees.
  const A = await caller(baseURL!, 'alice', 440, undefined, { serviceWorkers: 'block' });
  const B = await caller(baseURL!, 'bob', 660);
  try {
    const chunk = /\/pkg\/split_call_extras\.[^/]*\.wasm$/;
    const asked: string[] = [];
    A.page.on('request', (r) => { if (chunk.test(new URL(r.url()).pathname)) asked.push(r.url()); });
    await startCall(A, B);
    expect(asked, 'a page with a call does not fetch the menus\' code').toEqual([]);

    // The network drops every fetch of that code.
    let refused = 0;
    await A.page.route(chunk, (route) => { refused += 1; return route.abort('internetdisconnected'); });
    const panel = A.page.getByTestId('call-panel');
    const audio = panel.getByText('Audio', { exact: true });
    await audio.click();
    const notice = panel.getByTestId('part-not-loaded');
    await expect(notice).toBeVisible({ timeout: 10_000 });
    await expect(notice).toContainText('This did not load');
    expect(refused, 'fetched, then tried again twice').toBe(3);

    // The call's controls work meanwhile, and the audio flows.
    await expectCallAlive(A, B);

    // Still offline, "Try again" says so again; back online, the menu shows.
    await tryAgainThenOnline(A.page, chunk, notice, () => refused);
    await expect(panel.getByLabel('Microphone')).toBeVisible();
    await expect(notice).toHaveCount(0);

    // Closed and opened again, it is drawn from the code already here.
    const fetched = asked.length;
    await audio.click();
    await expect(panel.getByLabel('Microphone')).toHaveCount(0);
    await audio.click();
    await expect(panel.getByLabel('Microphone')).toBeVisible();
    expect(asked.length, 'no second fetch').toBe(fetched);

    await hangUp(A.page, B.page);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});
