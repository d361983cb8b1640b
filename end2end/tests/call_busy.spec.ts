// Busy: ringing someone who is already on a call does not ring them; the
// caller is told who is busy, and the call in progress goes on.
import { test, expect } from '@playwright/test';
import { signedIn, openChannel } from './helpers';

test('calling someone already on a call says they are busy and does not ring them', async ({ browser }) => {
  const A = await signedIn(browser, 'alice');
  const B = await signedIn(browser, 'bob');
  const C = await signedIn(browser, 'carol');
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await B.page.locator('#incoming-accept').click();
    await expect(A.page.locator('[data-testid=call-person][data-user=bob]')).toContainText('Connected');

    // Carol rings Bob from the parish hall.
    await C.page.getByRole('navigation').getByRole('link').filter({ hasText: /hall/i }).first().click();
    await C.page.getByRole('button', { name: 'Start voice call' }).click();
    const picker = C.page.getByRole('form', { name: 'Choose whom to call' });
    await picker.getByLabel('Bob', { exact: false }).check();
    await picker.getByRole('button', { name: 'Call 1 person' }).click();
    await expect(C.page.getByRole('alert')).toContainText('Bob Okafor is on another call');
    await expect(C.page.getByTestId('call-announcer')).toHaveText('Bob Okafor is on another call');
    await expect(C.page.getByTestId('call-panel')).toHaveCount(0);
    await B.page.waitForTimeout(1000);
    await expect(B.page.getByRole('alertdialog'), 'bob is not rung').toHaveCount(0);
    await expect(A.page.locator('[data-testid=call-person][data-user=bob]')).toContainText('Connected');
    await expect(B.page.getByTestId('call-panel')).toBeVisible();
  } finally {
    // End the call, so nobody is left busy for the tests after this one.
    await A.page.getByTestId('call-panel').getByRole('button', { name: 'End call' }).click().catch(() => {});
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0).catch(() => {});
    for (const who of [A, B, C]) await who.context.close();
  }
});
