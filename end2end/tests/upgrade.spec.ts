import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

// A tab left open across an upgrade runs the earlier build. The real
// server's side (409 for its requests, a 4003 close of its live stream) is
// tested in tests/it/wire.rs against the real server; here the live stream is
// a stand-in (Playwright's routeWebSocket, a mock) that closes with 4003, to
// check what the page does with it: reload once for the new build, and not
// again within a minute, whatever the stream keeps saying.
test('a page whose (mocked) live stream says Belfry was updated reloads once, not in a loop', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, 'carol');

  let sockets = 0;
  await context.routeWebSocket(/\/api\/events/, (ws) => {
    sockets += 1;
    ws.close({ code: 4003, reason: 'Belfry has been updated' });
  });
  let loads = 0;
  page.on('load', () => { loads += 1; });
  await page.reload();

  // The first 4003 reloads the page; the ones after it (the page retrying
  // with backoff) do not.
  await expect.poll(() => sockets, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
  expect(loads).toBe(2);
  const reloadedAt = await page.evaluate(() => sessionStorage.getItem('belfry-reloaded-for-update'));
  expect(Number(reloadedAt)).toBeGreaterThan(Date.now() - 60_000);
  await expect(page.getByText('Reconnecting…')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible();
  expect(errors).toEqual([]);
  await context.close();
});
