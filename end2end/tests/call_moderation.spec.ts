// Moderation from the call panel: an admin mutes a member (the SFU silences
// her and tells her client), her own unmute is refused, the admin lets her
// speak again, then removes her.
import { test, expect, Page } from '@playwright/test';
import { caller, heard, expectHears } from './callers';
import { openChannel } from './helpers';

const row = (page: Page, user: string) => page.locator(`[data-testid=call-person][data-user=${user}]`);

test('an admin mutes and removes a member; members see no such controls', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const A = await caller(baseURL!, 'alice', 440);
  const C = await caller(baseURL!, 'carol', 880);
  try {
    await openChannel(A.page, 'Choir');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await C.page.locator('#incoming-accept').click();
    await expectHears(A.page, [880], 'alice');
    await expect(row(A.page, 'carol')).toContainText('Connected');
    await expect(C.page.getByRole('button', { name: /^Mute Alice/ }), 'a member cannot moderate').toHaveCount(0);

    await A.page.getByRole('button', { name: 'Mute Carol Nguyen' }).click();
    await expect(C.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
    await expect(C.page.getByText('Muted by a moderator')).toBeVisible();
    await expect(row(A.page, 'carol').locator('.muted-mark')).toBeVisible();
    await A.page.waitForTimeout(1500);
    const carol = async () => (await heard(A.page))[0];
    const before = await carol();
    await A.page.waitForTimeout(1000);
    expect((await carol()).packets - before.packets, 'the SFU stops her audio').toBeLessThan(5);

    // Her own unmute (the button, which says it is not hers to press, or M)
    // is refused: the mute is the server's.
    await expect(C.page.getByTestId('mute')).toHaveAttribute('aria-disabled', 'true');
    await C.page.getByTestId('mute').click({ force: true });
    await C.page.keyboard.press('m');
    await expect(C.page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
    await expect(C.page.getByText('Muted by a moderator')).toBeVisible();
    const held = await carol();
    await A.page.waitForTimeout(1000);
    expect((await carol()).packets - held.packets, 'still silent after her own unmute').toBeLessThan(5);

    // Only a moderator lets her speak again.
    await A.page.getByRole('button', { name: 'Unmute Carol Nguyen' }).click();
    await expect(C.page.getByText('Muted by a moderator')).toHaveCount(0);
    await expect(row(A.page, 'carol').locator('.muted-mark')).toHaveCount(0);
    await expectHears(A.page, [880], 'alice after a moderator lets carol speak');

    await A.page.getByRole('button', { name: 'Remove Carol Nguyen from the call' }).click();
    await expect(C.page.getByTestId('call-panel')).toHaveCount(0);
    await expect(C.page.getByRole('alert')).toContainText('removed you from the call');
    await expect(row(A.page, 'carol')).not.toContainText('Connected');
    await A.page.getByRole('button', { name: /Leave call|End call/ }).click();
    await expect(A.page.getByTestId('call-panel')).toHaveCount(0);
  } finally {
    await A.browser.close();
    await C.browser.close();
  }
});
