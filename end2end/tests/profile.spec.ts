// Profile: a new parishioner (signed up for this test, so the demo people's
// passwords stay as the other specs expect) renames themself and picks a
// colour by keyboard, and carol sees the new name in People at once; the
// password changes only with the current one, and their other browser,
// open on a page, is signed out by it at once; "Sign out everywhere else"
// does the same without a new password. Screenshots at 1280x800 and 390x844, and axe.
import { Browser, BrowserContext, Page, expect, test } from '@playwright/test';
import { axeProblems, expectReachable } from './a11y';
import { signedIn } from './helpers';

const PASSWORD = 'first-password-1';

/** A new account signed up in its own context; its page on `/`. */
async function newcomer(browser: Browser, username: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const res = await context.request.post('/api/sign_up', {
    data: { username, display_name: 'New Comer', password: PASSWORD },
  });
  expect(res.status()).toBe(200);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  return { context, page };
}

/** The same account signed in from another browser. */
async function secondBrowser(browser: Browser, username: string, password: string) {
  const context = await browser.newContext();
  const res = await context.request.post('/api/sign_in', { data: { username, password } });
  expect(res.status()).toBe(200);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible();
  return { context, page };
}

async function openProfile(page: Page) {
  await page.getByRole('link', { name: /your profile/ }).click();
  await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
}

/** Each control, scrolled to, lies inside the width and is big enough to
 *  tap; the page never scrolls sideways. (The page is taller than a phone:
 *  scrolling down to a control is expected.) */

const unique = () => `pat${Date.now() % 1_000_000}`;

test('a new name and colour, chosen by keyboard, are what carol sees', async ({ browser }) => {
  const name = unique();
  const { context, page } = await newcomer(browser, name);
  const carol = await signedIn(browser, 'carol');
  const contexts: BrowserContext[] = [context, carol.context];
  try {
    await openProfile(page);
    const field = page.getByLabel('Display name');
    await field.fill('Patrick Byrne');
    // The colours are radio buttons: Tab in, arrows between them.
    await page.getByRole('radio', { name: 'Blue' }).focus();
    const green = page.getByRole('radio', { name: 'Green' });
    await green.check();
    // The arrow moves from the radio that has focus: make sure it is the
    // one just checked (the click may land on its label's swatch).
    await green.focus();
    await expect(green).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('radio', { name: 'Violet' })).toBeChecked();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('profile-saved')).toHaveText('Saved. Everyone now sees this.');
    // The navigation's own card follows at once.
    await expect(page.getByRole('link', { name: /Patrick Byrne/ })).toBeVisible();

    await carol.page.goto('/people');
    const row = carol.page.getByTestId('person').filter({ hasText: 'Patrick Byrne' });
    await expect(row).toHaveCount(1);
    await expect(row.locator('.avatar')).toHaveCSS('background-color', 'rgb(124, 58, 237)');

    // A name of spaces is refused, with the reason, and nothing changes.
    await field.fill('   ');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('profile-saved')).toHaveText('Please give a display name.');
    await expect(page.getByRole('link', { name: /Patrick Byrne/ })).toBeVisible();
  } finally {
    for (const c of contexts) await c.close();
  }
});

test('a password change needs the current one and signs the other browser out', async ({ browser }) => {
  const name = unique();
  const { context, page } = await newcomer(browser, name);
  const other = await secondBrowser(browser, name, PASSWORD);
  try {
    await openProfile(page);
    await page.getByLabel('Current password').fill('not-the-password');
    await page.getByLabel('New password').fill('second-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByTestId('password-changed')).toHaveText('That is not your current password.');
    await expect(page.getByTestId('password-changed')).toHaveAttribute('role', 'alert');

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByTestId('password-changed')).toHaveText(
      'Password changed. Signed out on 1 other device.',
    );
    await expect(page.getByLabel('Current password')).toHaveValue('');
    // The other browser's open page is told at once and goes to sign-in.
    await expect(other.page).toHaveURL(/\/signin$/, { timeout: 5_000 });
    // Its old password no longer works; the new one does.
    const old = await other.context.request.post('/api/sign_in', { data: { username: name, password: PASSWORD } });
    expect(old.status()).toBe(401);
    const again = await other.context.request.post('/api/sign_in', {
      data: { username: name, password: 'second-password-2' },
    });
    expect(again.status()).toBe(200);
  } finally {
    await context.close();
    await other.context.close();
  }
});

test('sign out everywhere else keeps only this browser', async ({ browser }) => {
  const name = unique();
  const { context, page } = await newcomer(browser, name);
  const other = await secondBrowser(browser, name, PASSWORD);
  try {
    await openProfile(page);
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await expect(page.getByTestId('signed-out-elsewhere')).toHaveText('Signed out on 1 other device.');
    await expect(other.page).toHaveURL(/\/signin$/, { timeout: 5_000 });
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
  } finally {
    await context.close();
    await other.context.close();
  }
});

test('an API token is made by keyboard, shown once, works for another app as its scope says, and is revoked', async ({ browser, playwright, baseURL }) => {
  const name = unique();
  const { context, page } = await newcomer(browser, name);
  const app = await playwright.request.newContext({ baseURL });
  try {
    await openProfile(page);
    const card = page.getByTestId('api-tokens');
    await expect(card.getByText('No tokens yet.')).toBeVisible();
    await card.getByLabel('Name', { exact: true }).fill('Parish website');
    await card.getByLabel('May').selectOption('read');
    await card.getByLabel('Lasts').selectOption('30');
    await card.getByLabel('Lasts').press('Tab');
    await expect(card.getByRole('button', { name: 'Make a token' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('token-said')).toHaveText('Token made. Copy it now: it is shown only once.');
    const token = await page.getByTestId('new-token').inputValue();
    expect(token).toMatch(/^blf_/);
    const row = card.getByTestId('api-token');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(`Parish website (…${token.slice(-4)})`);
    await expect(row).toContainText('Read only');
    await expect(row).toContainText('never used');

    // Another app, with only the token.
    const auth = { authorization: `Bearer ${token}` };
    const me = await app.post('/api/current_user', { data: {}, headers: auth });
    expect(me.status()).toBe(200);
    expect((await me.json()).username).toBe(name);
    const ring = await app.post('/api/initiate_call', { data: { channel_id: 1 }, headers: auth });
    expect(ring.status(), 'a read token rings nobody').toBe(403);

    // Shown once: a reload lists it without the token, now used.
    await page.reload();
    await expect(card.getByTestId('api-token')).toContainText('last used');
    await expect(page.getByTestId('new-token')).toHaveCount(0);
    expect(await page.content()).not.toContain(token);

    await card.getByRole('button', { name: `Revoke Parish website (…${token.slice(-4)})` }).click();
    await expect(page.getByTestId('token-said')).toHaveText(`Parish website (…${token.slice(-4)}) is revoked.`);
    await expect(card.getByTestId('api-token')).toHaveAttribute('data-state', 'revoked');
    const after = await app.post('/api/current_user', { data: {}, headers: auth });
    expect(after.status()).toBe(401);
  } finally {
    await app.dispose();
    await context.close();
  }
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`the profile page on a ${label}: every control fits, axe finds nothing serious`, async ({ browser }, info) => {
    const { context, page } = await newcomer(browser, unique(), viewport);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto('/profile');
      await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
      await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
      await expectReachable(page, [
        page.getByLabel('Display name'),
        page.getByRole('radio', { name: 'Blue' }),
        page.getByRole('radio', { name: 'Indigo' }),
        page.getByRole('button', { name: 'Save' }),
        page.getByLabel('Current password'),
        page.getByLabel('New password'),
        page.getByRole('button', { name: 'Change password' }),
        page.getByRole('button', { name: 'Sign out everywhere else' }),
        page.getByLabel('Name', { exact: true }),
        page.getByLabel('May'),
        page.getByLabel('Lasts'),
        page.getByRole('button', { name: 'Make a token' }),
      ]);
      await page.screenshot({ path: info.outputPath(`profile-${label}.png`), fullPage: true });
      expect(await axeProblems(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
}
