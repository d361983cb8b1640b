// The incoming-call overlay, the active call panel and the Calls view at a
// desktop (1280x800) and a phone (390x844) size: screenshots, the key
// controls visible, inside the screen and apart, and no serious or
// critical axe-core findings.
import { test, expect } from '@playwright/test';
import { caller, expectHears } from './callers';
import { axeProblems, expectLaidOut } from './a11y';
import { openChannel } from './helpers';

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`call views on a ${label}`, async ({ baseURL }, info) => {
    test.setTimeout(90_000);
    const A = await caller(baseURL!, 'alice', 440);
    const B = await caller(baseURL!, 'bob', 660, viewport);
    try {
      const page = B.page;
      await openChannel(A.page, 'Bob Okafor');
      await A.page.getByRole('button', { name: 'Start voice call' }).click();

      const overlay = page.getByRole('alertdialog');
      await expect(overlay).toBeVisible();
      await page.screenshot({ path: info.outputPath(`overlay-${label}.png`) });
      await expectLaidOut(page, [page.getByRole('button', { name: 'Decline' }), page.locator('#incoming-accept')]);
      expect(await axeProblems(page), 'overlay').toEqual([]);

      await page.locator('#incoming-accept').click();
      const panel = page.getByTestId('call-panel');
      await expect(panel).toBeVisible();
      await expectHears(page, [440], 'bob');
      await expect(page.getByTestId('call-clock')).toHaveText(/^\d+:\d\d$/);
      await page.screenshot({ path: info.outputPath(`panel-${label}.png`) });
      await expectLaidOut(page, [
        page.getByTestId('mute'),
        panel.getByText('Audio', { exact: true }),
        page.getByRole('button', { name: 'End call' }),
      ]);
      if (label === 'phone') {
        const box = (await panel.boundingBox())!;
        expect(box.width, 'full screen on a phone').toBeGreaterThanOrEqual(viewport.width - 1);
      } else {
        const box = (await panel.boundingBox())!;
        expect(box.x, 'a floating card at the right on a desktop').toBeGreaterThan(viewport.width / 2);
      }
      expect(await axeProblems(page), 'active call panel').toEqual([]);
      await page.getByRole('button', { name: 'End call' }).click();
      await expect(panel).toHaveCount(0);

      await page.goto('/calls');
      await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
      const row = page.getByTestId('call-row').first();
      await expect(row).toContainText('Alice Martin');
      await page.screenshot({ path: info.outputPath(`history-${label}.png`) });
      await expectLaidOut(page, [row.getByRole('button', { name: 'Call Alice Martin back' })]);
      expect(await axeProblems(page), 'calls view').toEqual([]);
      expect(A.errors.concat(B.errors)).toEqual([]);
    } finally {
      await A.browser.close();
      await B.browser.close();
    }
  });
}
