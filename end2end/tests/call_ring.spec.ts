// The ring itself: where the browser keeps sound off until a click, and a
// second ring while one is already ringing. The callers ring through the
// JSON API; the one rung is Belfry's page in Chromium.
import { test, expect, chromium, Page, Browser } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { PASSWORD } from './helpers';
import { api, person } from './livekit';

/** Stands in for a browser that keeps sound off until the person clicks
 *  (Chrome's autoplay policy). The real policy cannot be tested here:
 *  Playwright's own calls into the page count as a click. Until a click
 *  reaches the page, every AudioContext says it is suspended, and asking it
 *  to resume does nothing; after one, it is the real context, and says so
 *  when it resumes. */
function autoplayBlocked() {
  const Real = window.AudioContext;
  let clicked = false;
  addEventListener('click', () => { clicked = true; }, true);
  (window as any).AudioContext = class extends Real {
    get state() {
      return clicked ? super.state : 'suspended';
    }
    resume() {
      if (!clicked) return Promise.resolve();
      return super.resume().then(() => { this.dispatchEvent(new Event('statechange')); });
    }
  };
}

/** Bob, signed in, on a page nothing has been clicked on. */
async function bobUnclicked(baseURL: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const context = await browser.newContext({ baseURL });
  await context.addInitScript(autoplayBlocked);
  // Signed in through the API (the context's cookies): no click at all.
  await api(context.request, 'sign_in', { username: 'bob', password: PASSWORD });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible();
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  return { browser, page, errors };
}

/** The direct channel between `ctx`'s person and the user called `name`. */
async function directWith(ctx: any, name: string) {
  const spaces = await api(ctx, 'my_spaces');
  const direct = spaces.channels.find((c: any) => c.kind === 'direct' && c.name === name);
  expect(direct, `a direct channel with ${name}`).toBeTruthy();
  return direct;
}

/** Ends a ring the test started, if it is not over already. */
async function cancel(ctx: any, callId: string) {
  const res = await ctx.post('/api/cancel_call', { data: { call_id: callId } });
  expect(res.status(), 'cancelled, or already over').toBeLessThan(500);
}

test('where the browser blocks sound (stood in by a script), the ring offers "Click to enable sound", and that click starts the ringtone', async ({ baseURL }) => {
  const bob = await bobUnclicked(baseURL!);
  const alice = await person(baseURL!, 'alice');
  let callId: string | undefined;
  try {
    const call = await api(alice, 'initiate_call', { channel_id: (await directWith(alice, 'Bob Okafor')).id });
    callId = call.id;
    const overlay = bob.page.getByTestId('incoming-call');
    await expect(overlay).toContainText('Alice Martin');
    const enable = overlay.getByRole('button', { name: 'Click to enable sound' });
    await expect(enable).toBeVisible();
    await expect(overlay).toHaveAttribute('data-ringing', 'false');
    await enable.click();
    await expect(overlay).toHaveAttribute('data-ringing', 'true');
    await expect(enable).toHaveCount(0);
    // Still ringing, and still to be answered or declined.
    await expect(overlay.getByRole('button', { name: 'Accept' })).toBeVisible();
    expect(bob.errors).toEqual([]);
  } finally {
    if (callId) await cancel(alice, callId);
    await bob.browser.close();
  }
});

test('a second ring while one rings waits behind it ("1 more waiting") and rings when the first is declined', async ({ baseURL }) => {
  const bob = await bobUnclicked(baseURL!);
  const alice = await person(baseURL!, 'alice');
  const carol = await person(baseURL!, 'carol');
  const bobId = (await api(bob.page.request, 'current_user')).id;
  const calls: [any, string][] = [];
  try {
    const first = await api(alice, 'initiate_call', { channel_id: (await directWith(alice, 'Bob Okafor')).id });
    calls.push([alice, first.id]);
    const overlay = bob.page.getByTestId('incoming-call');
    await expect(overlay).toContainText('Alice Martin');
    await expect(overlay).not.toContainText('waiting');

    const withBob = await api(carol, 'open_direct_channel', { user_id: bobId });
    const second = await api(carol, 'initiate_call', { channel_id: withBob.id });
    calls.push([carol, second.id]);
    // Alice's ring stays in front; Carol's waits behind it.
    await expect(overlay).toContainText('1 more waiting');
    await expect(overlay).toContainText('Alice Martin');
    await expect(bob.page.getByTestId('incoming-call')).toHaveCount(1);

    // Declining Alice brings Carol's ring forward, with nothing behind it.
    await overlay.getByRole('button', { name: 'Decline' }).click();
    await expect(overlay).toContainText('Carol Nguyen');
    await expect(overlay).not.toContainText('waiting');
    await overlay.getByRole('button', { name: 'Decline' }).click();
    await expect(bob.page.getByTestId('incoming-call')).toHaveCount(0);
    expect(bob.errors).toEqual([]);
  } finally {
    for (const [ctx, id] of calls) await cancel(ctx, id);
    await bob.browser.close();
  }
});

test('a call that rings while the page is still fetching what rings is not lost to that older answer', async ({ baseURL }) => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const context = await browser.newContext({ baseURL });
  await api(context.request, 'sign_in', { username: 'bob', password: PASSWORD });
  // The page's first "what rings me?" is answered by the server at once
  // (nothing yet), but delivered only after Alice's call has rung here.
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let asked = 0;
  let held!: () => void;
  const holding = new Promise<void>((r) => { held = r; });
  await context.route('**/api/my_calls', async (route) => {
    asked += 1;
    if (asked > 1) return route.continue();
    const older = await route.fetch();
    expect(older.status()).toBe(200);
    held();
    await released;
    await route.fulfill({ response: older });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const alice = await person(baseURL!, 'alice');
  let callId: string | undefined;
  try {
    await page.goto('/');
    await holding;
    const call = await api(alice, 'initiate_call', { channel_id: (await directWith(alice, 'Bob Okafor')).id });
    callId = call.id;
    const overlay = page.getByTestId('incoming-call');
    await expect(overlay).toContainText('Alice Martin');
    // The older answer lands; the ring stays.
    const landed = page.waitForResponse('**/api/my_calls');
    release();
    await landed;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    await expect(overlay).toContainText('Alice Martin', { timeout: 100 });
    await expect(overlay.getByRole('button', { name: 'Accept' })).toBeVisible();
    // And asked again, as that answer may have been older than the ring.
    await expect.poll(() => asked).toBeGreaterThan(1);
    expect(errors).toEqual([]);
  } finally {
    if (callId) await cancel(alice, callId);
    await browser.close();
  }
});
