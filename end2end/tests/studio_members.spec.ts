// A studio's owner manages its people: alice adds dave to the Recording
// studio from its page, it appears in dave's navigation at once, and when
// she removes him his page says so and the link goes. Carol, a
// collaborator, has nothing to change. Screenshots at 1280x800 and
// 390x844, and axe.
import { test, expect } from '@playwright/test';
import { axeProblems, expectReachable } from './a11y';
import { signedIn } from './helpers';

const studioLink = (page: import('@playwright/test').Page) =>
  page.getByRole('navigation').getByRole('link', { name: 'Recording studio' });

test('alice adds dave to her studio and removes him; he sees it come and go', async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const dave = await signedIn(browser, 'dave');
  try {
    await expect(studioLink(dave.page)).toHaveCount(0);
    await studioLink(alice.page).click();
    await expect(alice.page.locator('#studio-title')).toHaveText('Recording studio');
    await alice.page.getByLabel('Add someone to the studio').selectOption({ label: 'Dave Rossi' });
    await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(alice.page.getByTestId('studio-said')).toHaveText('Added Dave Rossi.');
    await expect(alice.page.locator('.studio-member-name')).toHaveText(['Alice Martin', 'Carol Nguyen', 'Dave Rossi']);
    await expect(alice.page.getByLabel('Add someone to the studio').locator('option', { hasText: 'Dave Rossi' })).toHaveCount(0);

    await studioLink(dave.page).click();
    await expect(dave.page.locator('#studio-title')).toHaveText('Recording studio');
    await expect(dave.page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);

    await alice.page.getByRole('button', { name: 'Remove Dave Rossi from the studio' }).click();
    await expect(alice.page.getByTestId('studio-said')).toHaveText('Dave Rossi is no longer in the studio.');
    await expect(alice.page.locator('.studio-member-name')).toHaveText(['Alice Martin', 'Carol Nguyen']);
    await expect(studioLink(dave.page)).toHaveCount(0);
    await expect(dave.page.getByRole('alert')).toContainText('not a member of this studio');
    // The one failure is the refused read of the studio that says so.
    const refused = (e: string) => e.includes('status of 403');
    expect(dave.errors.filter(refused)).toHaveLength(1);
    expect([...alice.errors, ...dave.errors.filter((e) => !refused(e))]).toEqual([]);
  } finally {
    await alice.context.close();
    await dave.context.close();
  }
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`the studio page on a ${label}: the owner's controls fit, a collaborator's page has none, axe finds nothing serious`, async ({ browser }, info) => {
    const alice = await signedIn(browser, 'alice', viewport);
    const carol = await signedIn(browser, 'carol', viewport);
    try {
      const page = alice.page;
      await studioLink(page).click();
      await expect(page.locator('#studio-title')).toHaveText('Recording studio');
      await expectReachable(page, [
        page.getByRole('button', { name: 'Join voice' }),
        page.getByRole('button', { name: 'Remove Carol Nguyen from the studio' }),
        page.getByLabel('Add someone to the studio'),
        page.getByRole('button', { name: 'Add', exact: true }),
      ]);
      await page.screenshot({ path: info.outputPath(`studio-${label}.png`), fullPage: true });
      expect(await axeProblems(page)).toEqual([]);

      await studioLink(carol.page).click();
      await expect(carol.page.locator('.studio-member-name')).toHaveText(['Alice Martin', 'Carol Nguyen']);
      await expect(carol.page.getByLabel('Add someone to the studio')).toHaveCount(0);
      await expect(carol.page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
      expect(await axeProblems(carol.page)).toEqual([]);
      expect([...alice.errors, ...carol.errors]).toEqual([]);
    } finally {
      await alice.context.close();
      await carol.context.close();
    }
  });
}
