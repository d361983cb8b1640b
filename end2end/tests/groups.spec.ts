// Groups: bob (a coordinator) makes a group with dave from the Groups page,
// renames it, adds carol and removes her again, then opens its chat and
// calls it; dave answers and they hear each other; bob archives it and
// restores it. Carol, a member, sees
// her groups and who is in them with nothing to change. Screenshots at
// 1280x800 and 390x844, and axe.
import { test, expect } from '@playwright/test';
import { axeProblems, expectReachable } from './a11y';
import { caller, expectHears } from './callers';
import { signedIn } from './helpers';

const unique = () => `${Date.now() % 1_000_000}`;

test('bob makes a group with dave, renames it, adds and removes carol, and calls it; dave answers', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const B = await caller(baseURL!, 'bob', 440);
  const D = await caller(baseURL!, 'dave', 660);
  const made = `Bell ringers ${unique()}`;
  const renamed = `Tower team ${unique()}`;
  try {
    await B.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await expect(B.page.getByRole('heading', { name: 'Groups', level: 1 })).toBeVisible();
    await B.page.getByLabel('Name', { exact: true }).fill(made);
    await B.page.getByRole('checkbox', { name: 'Dave Rossi' }).check();
    await B.page.getByRole('button', { name: 'Make the group' }).click();
    await expect(B.page.getByTestId('groups-said')).toHaveText(`Made the group ${made}.`);
    const card = (name: string) => B.page.getByTestId('group').filter({ has: B.page.getByRole('heading', { name }) });
    await expect(card(made).locator('.group-member-name')).toHaveText(['Bob Okafor', 'Dave Rossi']);
    // It reaches dave's navigation at once.
    await expect(D.page.getByRole('navigation').getByRole('link', { name: made })).toBeVisible();

    await B.page.getByLabel(`Rename ${made}`).fill(renamed);
    await card(made).getByRole('button', { name: 'Rename' }).click();
    await expect(B.page.getByTestId('groups-said')).toHaveText(`Renamed to ${renamed}.`);
    await expect(D.page.getByRole('navigation').getByRole('link', { name: renamed })).toBeVisible();

    await B.page.getByLabel(`Add someone to ${renamed}`).selectOption({ label: 'Carol Nguyen' });
    await card(renamed).getByRole('button', { name: 'Add' }).click();
    await expect(card(renamed)).toContainText('3 members');
    await B.page.getByRole('button', { name: `Remove Carol Nguyen from ${renamed}` }).click();
    await expect(B.page.getByTestId('groups-said')).toHaveText('Removed Carol Nguyen.');
    await expect(card(renamed).locator('.group-member-name')).toHaveText(['Bob Okafor', 'Dave Rossi']);

    // The group's chat, and a call to it.
    await card(renamed).getByRole('link', { name: renamed }).click();
    await expect(B.page.locator('#chat-title')).toContainText(renamed);
    await B.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(D.page.getByRole('alertdialog')).toContainText(`Group call in ${renamed}`);
    await D.page.locator('#incoming-accept').click();
    await expectHears(B.page, [660], 'bob');
    await expectHears(D.page, [440], 'dave');
    // A group call goes on until the last one leaves.
    for (const page of [B.page, D.page]) {
      await page.getByRole('button', { name: 'Leave call' }).click();
      await expect(page.getByTestId('call-panel')).toHaveCount(0);
    }

    // Archived, it leaves dave's navigation; its chat is read, with no way
    // to write or call; restored, it is back.
    await B.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await B.page.getByRole('button', { name: `Archive ${renamed}…` }).click();
    await B.page.getByRole('button', { name: `Archive ${renamed}`, exact: true }).click();
    await expect(B.page.getByTestId('groups-said')).toHaveText(`Archived ${renamed}.`);
    await expect(card(renamed).locator('.meta')).toHaveText('Archived · 2 members');
    await expect(D.page.getByRole('navigation').getByRole('link', { name: renamed })).toHaveCount(0);
    await card(renamed).getByRole('link', { name: renamed }).click();
    await expect(B.page.locator('.archived-note')).toHaveText(/This group is archived/);
    await expect(B.page.getByRole('button', { name: 'Start voice call' })).toHaveCount(0);
    await expect(B.page.getByLabel('Message', { exact: true })).toHaveCount(0);
    await B.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await B.page.getByRole('button', { name: `Restore ${renamed}` }).click();
    await expect(B.page.getByTestId('groups-said')).toHaveText(`Restored ${renamed}.`);
    await expect(D.page.getByRole('navigation').getByRole('link', { name: renamed })).toBeVisible();
  } finally {
    await B.browser.close();
    await D.browser.close();
  }
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`the Groups page on a ${label}: every control fits, a member changes nothing, axe finds nothing serious`, async ({ browser }, info) => {
    const bob = await signedIn(browser, 'bob', viewport);
    const carol = await signedIn(browser, 'carol', viewport);
    try {
      const page = bob.page;
      await page.goto('/groups');
      await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
      const choir = page.getByTestId('group').filter({ has: page.getByRole('heading', { name: 'Choir' }) });
      await expect(choir.locator('.group-member-name')).toHaveText(['Alice Martin', 'Bob Okafor', 'Carol Nguyen']);
      await expectReachable(page, [
        page.getByLabel('Name', { exact: true }),
        page.getByRole('checkbox', { name: 'Dave Rossi' }),
        page.getByRole('button', { name: 'Make the group' }),
        page.getByLabel('Rename Choir'),
        choir.getByRole('button', { name: 'Rename' }),
        page.getByLabel('Add someone to Choir'),
        page.getByRole('button', { name: 'Remove Carol Nguyen from Choir' }),
        page.getByRole('button', { name: 'Archive Choir…' }),
      ]);
      await page.screenshot({ path: info.outputPath(`groups-${label}.png`), fullPage: true });
      expect(await axeProblems(page)).toEqual([]);

      await carol.page.goto('/groups');
      await expect(carol.page.locator('body[data-hydrated]')).toHaveCount(1);
      const hers = carol.page.getByTestId('group').filter({ has: carol.page.getByRole('heading', { name: 'Choir' }) });
      await expect(hers).toContainText('3 members');
      await expect(carol.page.getByRole('button')).toHaveCount(await carol.page.getByRole('navigation').getByRole('button').count());
      await expect(carol.page.getByRole('textbox')).toHaveCount(0);
      expect(await axeProblems(carol.page)).toEqual([]);
      expect([...bob.errors, ...carol.errors]).toEqual([]);
    } finally {
      await bob.context.close();
      await carol.context.close();
    }
  });
}
