// The incoming call and the call panel by keyboard alone, the ringtone's
// life, and ringing that stops when the call is taken elsewhere or
// cancelled.
import { test, expect } from '@playwright/test';
import { caller, expectHears } from './callers';
import { openChannel } from './helpers';

test('keyboard only: answer with Enter, M mutes and unmutes, Tab to End call', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    const overlay = B.page.getByRole('alertdialog');
    await expect(overlay).toBeVisible();
    // The app's own ringtone sounds while it rings.
    await expect(overlay).toHaveAttribute('data-ringing', 'true');
    await expect(B.page.locator('#incoming-accept')).toBeFocused();
    // Shift+Tab reaches Decline, Tab comes back to Accept; Enter answers.
    await B.page.keyboard.press('Shift+Tab');
    await expect(B.page.getByRole('button', { name: 'Decline' })).toBeFocused();
    await B.page.keyboard.press('Tab');
    await expect(B.page.locator('#incoming-accept')).toBeFocused();
    await B.page.keyboard.press('Enter');
    await expect(overlay).toHaveCount(0);
    await expectHears(B.page, [440], 'bob');

    const mute = B.page.getByTestId('mute');
    await expect(mute).toHaveAttribute('aria-keyshortcuts', 'M');
    await B.page.keyboard.press('m');
    await expect(mute).toHaveAttribute('aria-pressed', 'true');
    await expect(A.page.locator('[data-testid=call-person][data-user=bob] .muted-mark')).toBeVisible();
    await B.page.keyboard.press('m');
    await expect(mute).toHaveAttribute('aria-pressed', 'false');

    // Every control is reachable with Tab, with a visible focus ring.
    const end = B.page.getByRole('button', { name: 'End call' });
    for (let i = 0; i < 30 && !(await end.evaluate((e) => e === document.activeElement)); i++) {
      await B.page.keyboard.press('Tab');
    }
    await expect(end).toBeFocused();
    const ring = await end.evaluate((e) => getComputedStyle(e).boxShadow);
    expect(ring, 'focus is visible').not.toBe('none');
    await B.page.keyboard.press('Enter');
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0);
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
    expect(A.errors.concat(B.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});

test('answering in one tab stops the ringing in the other; a cancelled call stops ringing', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440);
  const B = await caller(baseURL!, 'bob', 660);
  try {
    // Bob has a second tab open, signed in as himself.
    const second = await B.page.context().newPage();
    await second.goto('/');
    await expect(second.locator('body[data-hydrated]')).toHaveCount(1);

    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    for (const page of [B.page, second]) {
      await expect(page.getByRole('alertdialog')).toHaveAttribute('data-ringing', 'true');
    }
    await second.locator('#incoming-accept').click();
    await expect(B.page.getByRole('alertdialog')).toHaveCount(0);
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0, { timeout: 2_000 });
    await expect(second.getByTestId('call-panel')).toBeVisible();
    await A.page.getByRole('button', { name: 'End call' }).click();
    await expect(second.getByTestId('call-panel')).toHaveCount(0);

    // Alice rings again and thinks better of it.
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(B.page.getByRole('alertdialog')).toBeVisible();
    await A.page.getByRole('button', { name: 'Cancel call' }).click();
    for (const page of [B.page, second]) {
      await expect(page.getByRole('alertdialog')).toHaveCount(0);
    }
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
  } finally {
    await A.browser.close();
    await B.browser.close();
  }
});
