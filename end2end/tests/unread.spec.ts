// Unread counts and latest words in the navigation: bob has two tabs open;
// carol writes in a group of theirs and both of bob's tabs count it, with
// her first words under the group's name. Bob reads it in one tab and both
// tabs clear; what comes while he has it on screen is never counted.
import { test, expect, Page } from '@playwright/test';
import { signedIn } from './helpers';

const unique = () => `${Date.now() % 1_000_000}`;

const navLink = (page: Page, name: string) =>
  page.getByRole('navigation').getByRole('link', { name: new RegExp(`^${name}`) });

test('unread counts appear on every tab of the reader and clear when one tab reads', async ({ browser }) => {
  const group = `Bell notes ${unique()}`;
  const bob = await signedIn(browser, 'bob');
  // A second tab of bob's (the same cookies).
  const other = await bob.context.newPage();
  await other.goto('/');
  await expect(other.locator('body[data-hydrated]')).toHaveCount(1);
  const carol = await signedIn(browser, 'carol');
  try {
    // bob makes a group with carol.
    await bob.page.bringToFront();
    await bob.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await bob.page.getByLabel('Name', { exact: true }).fill(group);
    await bob.page.getByRole('checkbox', { name: 'Carol Nguyen' }).check();
    await bob.page.getByRole('button', { name: 'Make the group' }).click();
    await expect(bob.page.getByTestId('groups-said')).toHaveText(`Made the group ${group}.`);
    for (const page of [bob.page, other, carol.page]) await expect(navLink(page, group)).toBeVisible();

    // carol writes twice; bob is elsewhere in both tabs.
    await navLink(carol.page, group).click();
    for (const body of ['Bells at noon on Sunday', 'Bring the new music, please']) {
      await carol.page.getByLabel('Message', { exact: true }).fill(body);
      await carol.page.getByLabel('Message', { exact: true }).press('Enter');
      await expect(carol.page.getByTestId('message-list')).toContainText(body);
    }
    for (const page of [bob.page, other]) {
      await expect(navLink(page, group)).toHaveAccessibleName(new RegExp(`^${group}\\s*2 unread$`));
      await expect(navLink(page, group).locator('.nav-latest')).toHaveText('Carol Nguyen: Bring the new music, please');
    }
    // Her own navigation counts nothing of hers.
    await expect(navLink(carol.page, group).getByTestId('unread')).toHaveCount(0);

    // bob reads it in his other tab: both tabs clear.
    await other.bringToFront();
    await navLink(other, group).click();
    await expect(other.getByTestId('message-list')).toContainText('Bring the new music');
    for (const page of [other, bob.page]) {
      await expect(navLink(page, group).getByTestId('unread')).toHaveCount(0);
    }
    // What comes while he has it on screen is read as it comes.
    await carol.page.getByLabel('Message', { exact: true }).fill('And the tower key');
    await carol.page.getByLabel('Message', { exact: true }).press('Enter');
    await expect(other.getByTestId('message-list')).toContainText('And the tower key');
    await expect(navLink(other, group).locator('.nav-latest')).toHaveText('Carol Nguyen: And the tower key');
    await expect(navLink(bob.page, group).locator('.nav-latest')).toHaveText('Carol Nguyen: And the tower key');
    // The server took that read: it tells bob's first tab, which had
    // counted the message, and the count there goes.
    await expect(navLink(bob.page, group).getByTestId('unread')).toHaveCount(0);
    // A reload asks the server: still nothing unread.
    await bob.page.bringToFront();
    await bob.page.reload();
    await expect(navLink(bob.page, group)).toHaveAccessibleName(group);
    expect(bob.errors.concat(carol.errors)).toEqual([]);
  } finally {
    await bob.context.close();
    await carol.context.close();
  }
});
