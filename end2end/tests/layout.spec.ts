import { test, expect, Locator, Page } from '@playwright/test';
import { signedIn, openChannel } from './helpers';

async function box(l: Locator) {
  const b = await l.boundingBox();
  expect(b, 'element has a box').not.toBeNull();
  return b!;
}

/** Visible, with a real size, and wholly inside the viewport. */
async function expectOnScreen(page: Page, l: Locator) {
  await expect(l).toBeVisible();
  const b = await box(l);
  const vp = page.viewportSize()!;
  expect(b.width).toBeGreaterThan(20);
  expect(b.height).toBeGreaterThan(20);
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width).toBeLessThanOrEqual(vp.width + 0.5);
  expect(b.y + b.height).toBeLessThanOrEqual(vp.height + 0.5);
}

for (const [name, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`chat view layout on ${name}`, async ({ browser }) => {
    const { page } = await signedIn(browser, 'alice', viewport);
    if (name === 'phone') {
      // On a phone the channel list is the home page; the chat replaces it.
      await expect(page.getByRole('navigation')).toBeVisible();
    }
    await openChannel(page, 'Choir');
    const header = page.getByTestId('chat-header');
    const slot = page.getByTestId('call-slot');
    const list = page.getByTestId('message-list');
    const composer = page.getByTestId('composer');
    for (const l of [header, slot, list, composer]) await expectOnScreen(page, l);

    const [h, s, m, c] = [await box(header), await box(slot), await box(list), await box(composer)];
    expect(s.y).toBeGreaterThanOrEqual(h.y - 0.5);          // the slot sits in the header
    expect(s.y + s.height).toBeLessThanOrEqual(h.y + h.height + 0.5);
    expect(m.y).toBeGreaterThanOrEqual(h.y + h.height - 0.5); // header, then list,
    expect(c.y).toBeGreaterThanOrEqual(m.y + m.height - 0.5); // then composer
    await expect(page.locator('#chat-title')).toHaveText(/Choir/);
    await expect(page.locator('.meta').first()).toHaveText('3 members');
    if (name === 'phone') {
      await expect(page.getByRole('navigation')).toBeHidden();
      await expect(page.getByRole('link', { name: 'Back to channels' })).toBeVisible();
    } else {
      await expect(page.getByRole('navigation')).toBeVisible();
    }
    await page.screenshot({ path: `screenshots/chat-${name}.png` });
  });
}
