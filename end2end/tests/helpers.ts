import { Browser, BrowserContext, Page, expect } from '@playwright/test';

export const PASSWORD = 'demo-password';

/** A signed-in page in its own browser context (its own cookies). */
export async function signedIn(
  browser: Browser,
  username: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, username);
  return { context, page, errors };
}

/** Signs in through the form and waits for the hydrated, signed-in app. */
export async function signIn(page: Page, username: string) {
  await page.goto('/signin');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible();
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

/** Opens a channel from the navigation by its visible name. */
export async function openChannel(page: Page, name: string) {
  await page.getByRole('navigation').getByRole('link', { name }).click();
  await expect(page.locator('#chat-title')).toContainText(name);
}
