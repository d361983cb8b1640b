// Call history and the missed-call badge, timeline call cards, calling a
// chosen few in a parish channel, and the Calls page when its code (split out
// of the main WASM) cannot be fetched.
import { test, expect } from '@playwright/test';
import { caller, expectCallAlive, expectHears, startCall, hangUp, tryAgainThenOnline } from './callers';
import { openChannel } from './helpers';

test('a missed call: badge in the navigation, highlighted in Calls, seen clears it, call back rings', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(B.page.getByRole('alertdialog')).toBeVisible();
    // Nobody answers: after the ring timeout both sides are told.
    await expect(B.page.getByRole('alertdialog')).toHaveCount(0, { timeout: 20_000 });
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
    await expect(A.page.getByTestId('call-announcer')).toContainText('No answer');
    const badge = B.page.getByTestId('missed-badge');
    await expect(badge).toHaveText(/^1/);
    // The timeline shows the call as a card.
    await expect(A.page.getByTestId('call-card').last()).toContainText('Missed voice call');

    // Bob opens Calls: the missed call stands out; the badge clears.
    await B.page.getByRole('navigation').getByRole('link', { name: /Calls/ }).click();
    const row = B.page.getByTestId('call-row').first();
    await expect(row).toHaveClass(/missed/);
    await expect(row).toContainText('Alice Martin');
    await expect(row).toContainText('Missed call');
    await expect(badge).toHaveCount(0);
    await B.page.reload();
    await expect(B.page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(B.page.getByTestId('call-row').first()).toBeVisible();
    await expect(badge, 'seen is remembered by the server').toHaveCount(0);

    // One click calls back: Alice's phone rings.
    await B.page.getByRole('button', { name: 'Call Alice Martin back' }).first().click();
    await expect(A.page.getByRole('alertdialog')).toContainText('Bob Okafor is calling');
    await A.page.getByRole('button', { name: 'Decline' }).click();
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('in a parish channel the call button asks whom to ring, and more can be added from the panel', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440);
  const D = await caller(baseURL!, 'dave', 550);
  const C = await caller(baseURL!, 'carol', 880);
  try {
    const hall = A.page.getByRole('navigation').getByRole('link').filter({ hasText: /hall/i }).first();
    await hall.click();
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    const picker = A.page.getByRole('form', { name: 'Choose whom to call' });
    await expect(picker).toBeVisible();
    await expect(picker.getByRole('button', { name: 'Call' })).toBeDisabled();
    await picker.getByLabel('Dave', { exact: false }).check();
    await picker.getByRole('button', { name: 'Call 1 person' }).click();
    await expect(D.page.getByRole('alertdialog')).toContainText('Alice Martin is calling');
    await A.page.waitForTimeout(1000);
    await expect(C.page.getByRole('alertdialog'), 'carol was not chosen').toHaveCount(0);
    await D.page.locator('#incoming-accept').click();
    await expect(A.page.locator('[data-testid=call-person][data-user=dave]')).toContainText('Connected');

    // Carol is added from the panel: her phone rings, she joins.
    await A.page.getByRole('button', { name: 'Add people' }).click();
    await A.page.getByRole('button', { name: 'Add Carol Nguyen' }).click();
    await expect(C.page.getByRole('alertdialog')).toContainText('Alice Martin is calling');
    await C.page.locator('#incoming-accept').click();
    await expect(A.page.locator('[data-testid=call-person][data-user=carol]')).toContainText('Connected');
    await expect(A.page.getByTestId('call-panel')).toContainText('3 participants');
    await C.page.getByRole('button', { name: 'Leave call' }).click();
    await expect(C.page.getByTestId('call-panel')).toHaveCount(0);
    await A.page.getByRole('button', { name: /End call|Leave call/ }).click();
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
    await expect(D.page.locator('[data-testid=call-person][data-user=alice]')).toContainText('Left');
    await D.page.getByRole('button', { name: /End call|Leave call/ }).click();
    await expect(D.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(D.errors, C.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await D.browser.close();
    await C.browser.close();
  }
});

test('when the Calls page\'s code cannot be fetched during a call, the call goes on and the page offers to try again', async ({ baseURL }) => {
  test.setTimeout(90_000);
  // No service worker, so the page's own fetches are what the route sees.
  const A = await caller(baseURL!, 'alice', 440, undefined, { serviceWorkers: 'block' });
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await startCall(A, B);

    // The network drops every fetch of a split-out page's code.
    let refused = 0;
    const chunk = /\/pkg\/split_[^/]*\.wasm$/;
    await A.page.route(chunk, (route) => { refused += 1; return route.abort('internetdisconnected'); });
    await A.page.getByRole('navigation').getByRole('link', { name: /Calls/ }).click();
    const notice = A.page.getByTestId('page-not-loaded');
    await expect(notice).toBeVisible({ timeout: 10_000 });
    await expect(notice).toContainText('This page did not load');
    expect(refused, 'fetched, then tried again twice').toBe(3);

    // The app is alive: the call's controls work and the audio flows.
    await expectCallAlive(A, B);

    // Still offline, "Try again" says so again; back online, it shows the page.
    await tryAgainThenOnline(A.page, chunk, notice, () => refused);
    await expect(A.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
    await expect(notice).toHaveCount(0);
    await expect(A.page.getByTestId('call-panel')).toBeVisible();
    await hangUp(A.page, B.page);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('a tab whose Calls page code is gone from the server (Belfry was updated) reloads into the new version and back into its call', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440, undefined, { serviceWorkers: 'block' });
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await startCall(A, B);

    const chunk = /\/pkg\/split_[^/]*\.wasm$/;
    await A.page.route(chunk, (route) => route.fulfill({ status: 404, body: 'Not Found' }));
    const calls = A.page.getByRole('navigation').getByRole('link', { name: /Calls/ });
    await calls.click();
    const notice = A.page.getByTestId('page-not-loaded');
    await expect(notice).toBeVisible({ timeout: 10_000 });
    // The rest of the app still works: it goes to a channel and back.
    await openChannel(A.page, 'Bob Okafor');
    await expect(notice).toHaveCount(0);
    await calls.click();
    await expect(notice).toBeVisible({ timeout: 10_000 });

    // The new version is served: a reload shows the page, and the call
    // comes back by itself (the panel, and Bob's voice).
    await A.page.unroute(chunk);
    await notice.getByRole('button', { name: 'Reload Belfry' }).click();
    await expect(A.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
    await expect(A.page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(notice).toHaveCount(0);
    expect(new URL(A.page.url()).pathname).toBe('/calls');
    await expect(A.page.getByTestId('call-panel')).toBeVisible({ timeout: 15_000 });
    await expectHears(A.page, [660], 'alice');
    await expectHears(B.page, [440], 'bob');
    await hangUp(A.page, B.page);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('the Calls page opened by its address while its code cannot be fetched stays readable, and comes alive when it can', async ({ baseURL }) => {
  const A = await caller(baseURL!, 'alice', 440, undefined, { serviceWorkers: 'block' });
  try {
    let refused = 0;
    const chunk = /\/pkg\/split_calls_page\.[^/]*\.wasm$/;
    await A.page.route(chunk, (route) => { refused += 1; return route.abort('internetdisconnected'); });
    // The page's own code, once it runs, tells the server the calls were seen.
    let seen = 0;
    A.page.on('request', (r) => { if (r.url().endsWith('/api/mark_calls_seen')) seen += 1; });
    await A.page.goto('/calls');
    // The server-rendered page is there; the app keeps asking for its code.
    await expect(A.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
    await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    expect(seen, "the page's code has not run").toBe(0);

    await A.page.unroute(chunk);
    await expect.poll(() => seen, { timeout: 10_000 }).toBeGreaterThan(0);
    // Alive: the app navigates by itself (the page's state survives).
    await A.page.evaluate(() => { (window as any).__stayed = true; });
    await openChannel(A.page, 'Bob Okafor');
    expect(await A.page.evaluate(() => (window as any).__stayed)).toBe(true);
    await expect(A.page.getByTestId('page-not-loaded')).toHaveCount(0);
    expect(A.errors).toEqual([]);
  } finally {
    await A.browser.close();
  }
});
