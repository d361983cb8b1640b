import { test, expect } from '@playwright/test';
import { signedIn, openChannel, PASSWORD } from './helpers';
import { api } from './livekit';

test('a message sent by alice appears for bob without reloading', async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const bob = await signedIn(browser, 'bob');
  await openChannel(alice.page, 'Bob Okafor');
  await openChannel(bob.page, 'Alice Martin');

  // Bob's page must not reload: mark the window and check the mark survives.
  await bob.page.evaluate(() => ((window as any).__belfryMark = 'still here'));
  const text = `Shall we ring the bells at nine? ${Date.now()}`;
  await alice.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await alice.page.keyboard.press('Enter');

  await expect(alice.page.getByTestId('message-list')).toContainText(text);
  await expect(bob.page.getByTestId('message-list')).toContainText(text);
  expect(await bob.page.evaluate(() => (window as any).__belfryMark)).toBe('still here');
  // The message was posted once, for both.
  await expect(bob.page.getByTestId('message-list').getByText(text)).toHaveCount(1);
  await expect(alice.page.getByTestId('message-list').getByText(text)).toHaveCount(1);
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
});

test('a send that fails stays on screen with Retry and Discard; Retry posts it once, Discard drops it', async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const bob = await signedIn(browser, 'bob');
  await openChannel(alice.page, 'Bob Okafor');
  await openChannel(bob.page, 'Alice Martin');
  const list = alice.page.getByTestId('message-list');
  const box = alice.page.getByRole('textbox', { name: 'Message' });
  const send = async (text: string) => {
    await box.fill(text);
    await alice.page.keyboard.press('Enter');
  };
  const before = `Before the outage ${Date.now()}`;
  await send(before);
  await expect(list.locator('li.message:not(.pending)').last()).toContainText(before);

  // The network drops: two sends fail, and stay, after what was sent, in order.
  await alice.page.route('**/api/send_message', (route) => route.abort());
  const kept = `Kept through the outage ${Date.now()}`;
  const dropped = `Dropped after the outage ${Date.now()}`;
  await send(kept);
  await send(dropped);
  const failed = list.locator('li.message.pending.failed');
  await expect(failed).toHaveCount(2);
  await expect(failed.first()).toContainText(kept);
  await expect(failed.first()).toContainText('Not sent: Could not reach Belfry');
  await expect(failed.nth(1)).toContainText(dropped);
  await expect(list.locator('li.message').last()).toContainText(dropped);

  // Back online: Retry posts the first once; Discard drops the second.
  await alice.page.unroute('**/api/send_message');
  await failed.first().getByRole('button', { name: 'Retry' }).click();
  await expect(list.locator('li.message:not(.pending)').filter({ hasText: kept })).toHaveCount(1);
  await failed.first().getByRole('button', { name: 'Discard' }).click();
  await expect(list.locator('li.message.pending')).toHaveCount(0);
  await expect(list.getByText(dropped)).toHaveCount(0);

  // Bob sees what was sent, once each, and not what was dropped; so does
  // Alice after a reload (the server's record).
  const bobs = bob.page.getByTestId('message-list');
  await expect(bobs.getByText(kept)).toHaveCount(1);
  await expect(bobs.getByText(before)).toHaveCount(1);
  await alice.page.reload();
  await expect(list.getByText(kept)).toHaveCount(1);
  await expect(list.getByText(dropped)).toHaveCount(0);
  await expect(bobs.getByText(dropped)).toHaveCount(0);
  const order = await list.locator('li.message .body').allTextContents();
  expect(order.indexOf(before)).toBeLessThan(order.indexOf(kept));
  // The browser logs the two requests the test cut, and nothing else.
  expect(alice.errors).toEqual(Array(2).fill('Failed to load resource: net::ERR_FAILED'));
  expect(bob.errors).toEqual([]);
});

test('"Load earlier messages" adds the older page above, in order, and keeps what was on screen in place', async ({ browser }) => {
  const carol = await signedIn(browser, 'carol');
  const ctx = carol.context.request;
  const choir = (await api(ctx, 'my_spaces')).channels.find((c: any) => c.name === 'Choir');
  // 60 messages: the page opens on the newest 50.
  const tag = `hymn-${Date.now()}`;
  for (let n = 1; n <= 60; n++) {
    await api(ctx, 'send_message', { channel_id: choir.id, body: `${tag} verse ${n}`, client_nonce: `${tag}-${n}` });
  }
  await openChannel(carol.page, 'Choir');
  const list = carol.page.getByTestId('message-list');
  const verse = (n: number) => list.locator('li.message .body', { hasText: new RegExp(`^${tag} verse ${n}$`) });
  await expect(verse(60)).toBeVisible();
  await expect(verse(11)).toHaveCount(1);
  await expect(verse(10)).toHaveCount(0);

  // Scrolled to the top, verse 11 on screen: the older page goes above it
  // and verse 11 stays where it was.
  await list.evaluate((el) => (el.scrollTop = 0));
  const before = (await verse(11).boundingBox())!.y;
  await list.getByRole('button', { name: 'Load earlier messages' }).click();
  await expect(verse(10)).toHaveCount(1);
  const after = (await verse(11).boundingBox())!.y;
  expect(Math.abs(after - before)).toBeLessThan(2);
  const verses = (await list.locator('li.message .body').allTextContents())
    .filter((t) => t.startsWith(`${tag} `))
    .map((t) => Number(t.split(' ').pop()));
  expect(verses).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  expect(carol.errors).toEqual([]);
});

test('the navigation opens pages in place and marks the one on screen', async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const nav = alice.page.getByRole('navigation');
  const link = (name: string | RegExp) => nav.getByRole('link', { name });
  await alice.page.evaluate(() => ((window as any).__belfryMark = 'still here'));
  await openChannel(alice.page, 'Choir');
  await expect(link('Choir')).toHaveAttribute('aria-current', 'page');
  await expect(link('Bob Okafor')).not.toHaveAttribute('aria-current', /./);
  await openChannel(alice.page, 'Bob Okafor');
  await expect(link('Bob Okafor')).toHaveAttribute('aria-current', 'page');
  await expect(link('Choir')).not.toHaveAttribute('aria-current', /./);
  await link(/^Calls/).click();
  await expect(alice.page).toHaveURL(/\/calls$/);
  await expect(link(/^Calls/)).toHaveAttribute('aria-current', 'page');
  await expect(link('Bob Okafor')).not.toHaveAttribute('aria-current', /./);
  // Every step was the app moving, not the browser loading a page.
  expect(await alice.page.evaluate(() => (window as any).__belfryMark)).toBe('still here');
  // Back and Forward, too.
  await alice.page.goBack();
  await expect(link('Bob Okafor')).toHaveAttribute('aria-current', 'page');
  await expect(alice.page.locator('#chat-title')).toContainText('Bob Okafor');
  await alice.page.goForward();
  await expect(link(/^Calls/)).toHaveAttribute('aria-current', 'page');
  await expect(alice.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
  expect(await alice.page.evaluate(() => (window as any).__belfryMark)).toBe('still here');
  // A link clicked with Ctrl is the browser's: a new tab, this one stays.
  const [opened] = await Promise.all([
    alice.page.context().waitForEvent('page'),
    link('Choir').click({ modifiers: ['Control'] }),
  ]);
  await opened.waitForLoadState();
  expect(new URL(opened.url()).pathname).toMatch(/^\/c\/\d+$/);
  await expect(alice.page).toHaveURL(/\/calls$/);
  await expect(link(/^Calls/)).toHaveAttribute('aria-current', 'page');
  await opened.close();
  expect(alice.errors).toEqual([]);
});

test('a member outside a group channel is told so', async ({ browser }) => {
  const dave = await signedIn(browser, 'dave');
  await expect(dave.page.getByRole('navigation').getByRole('link', { name: 'Choir' })).toHaveCount(0);
  await dave.page.goto('/c/2');
  await expect(dave.page.getByRole('alert')).toContainText('not a member');
});

test('signing out returns to the sign-in page and ends the session', async ({ browser }) => {
  const carol = await signedIn(browser, 'carol');
  await carol.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(carol.page).toHaveURL(/\/signin$/);
  await carol.page.goto('/');
  await expect(carol.page).toHaveURL(/\/signin$/);
});

test('a wrong password shows a clear message and keeps the form', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(page.getByLabel('Username')).toHaveValue('alice');
});

test('the sign-in form waits for the app: nothing is sent early, and what was typed early is used', async ({ page }) => {
  // Hold the WASM back, as a slow phone network would.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/belfry_bg.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/signin');
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Password').fill(PASSWORD);
  // Not hydrated yet: the button is disabled, so Enter cannot send the form
  // as a plain GET with the password in its URL.
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
  const button = page.getByRole('button', { name: 'Sign in' });
  await expect(button).toBeDisabled();
  await page.getByLabel('Password').press('Enter');
  expect(page.url()).not.toContain(PASSWORD);

  release();
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible();
  expect(page.url()).not.toContain(PASSWORD);
});

test('a page left before its data came shows the page moved to, not the late answer', async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const nav = alice.page.getByRole('navigation');
  // What happened to each `open_chat`, printed if the test fails.
  const timeline: string[] = [];
  // The first channel asked for after the click (the choir's) is held back.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let armed = false;
  let holding: number | undefined;
  let count = 0;
  await alice.page.route('**/api/open_chat', async (route) => {
    const n = ++count;
    timeline.push(`open_chat #${n} asked ${armed ? 'after' : 'before'} the click`);
    if (armed && holding === undefined) {
      holding = n;
      await held;
    }
    await route.continue().catch(() => timeline.push(`open_chat #${n} was gone when let through`));
  });
  let dropped = 0;
  alice.page.on('requestfailed', (r) => {
    if (r.url().endsWith('/api/open_chat')) {
      dropped += 1;
      timeline.push(`an open_chat failed: ${r.failure()?.errorText}`);
    }
  });
  try {
    // Only what the click asks for is held: the first view settles first.
    await alice.page.waitForLoadState('networkidle');
    armed = true;
    await nav.getByRole('link', { name: 'Choir' }).click();
    // A click that lands as the navigation is drawn again (its data came
    // in) was seen lost once in some forty runs: neither the address nor a
    // request moved. A person would click again; so does the test, once.
    const moved = () => holding !== undefined || alice.page.url().includes('/c/');
    if (!(await expect.poll(moved, { timeout: 3_000 }).toBe(true).then(() => true, () => false))) {
      timeline.push(`the click on the choir moved nothing (at ${alice.page.url()}); clicked again`);
      console.log(timeline.at(-1));
      await nav.getByRole('link', { name: 'Choir' }).click();
    }
    await expect.poll(() => holding, 'the choir was asked for').toBeDefined();
    await expect(alice.page.getByText('Loading…')).toBeVisible();
    // On to another channel, then to the calls, before the choir came.
    await openChannel(alice.page, 'Bob Okafor');
    await nav.getByRole('link', { name: /^Calls/ }).click();
    await expect(alice.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
    // Leaving dropped the choir's fetch: the browser gave the request up.
    await expect.poll(() => dropped).toBe(1);
    release();
    await expect(alice.page.getByRole('heading', { name: 'Calls' })).toBeVisible();
    // The choir opens when asked for again, and nothing broke.
    await openChannel(alice.page, 'Choir');
    await expect(alice.page.getByRole('heading', { name: 'Calls' })).toHaveCount(0);
    expect(alice.errors, 'no errors on the page').toEqual([]);
  } catch (e) {
    timeline.push(`at ${alice.page.url()}, showing "${await alice.page.locator('main, body').first().innerText().catch(() => '?')}"`.slice(0, 600));
    console.log(`what the page's open_chat requests did:\n  ${timeline.join('\n  ')}`);
    throw e;
  } finally {
    release();
    await alice.context.close();
  }
});
