// Moderation from the call panel: an admin mutes a member (the SFU silences
// her and tells her client), the member unmutes herself, then is removed.
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
    await expect(C.page.getByText('A moderator muted you')).toBeVisible();
    await expect(row(A.page, 'carol').locator('.muted-mark')).toBeVisible();
    await A.page.waitForTimeout(1500);
    const carol = async () => (await heard(A.page))[0];
    const before = await carol();
    await A.page.waitForTimeout(1000);
    expect((await carol()).packets - before.packets, 'the SFU stops her audio').toBeLessThan(5);

    // She may unmute herself when ready.
    await C.page.getByTestId('mute').click();
    await expect(C.page.getByText('A moderator muted you')).toHaveCount(0);
    await expect(row(A.page, 'carol').locator('.muted-mark')).toHaveCount(0);
    await expectHears(A.page, [880], 'alice after carol unmutes');

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
