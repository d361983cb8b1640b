// Running the community from People: alice (admin) makes an invitation
// link; a newcomer opens it, sees whom it joins and signs up, lands in the
// parish, and alice calls them and they hear each other. Alice makes them
// a coordinator (the Groups page gives them its controls at once) and back
// (the controls go at once, no reload), then removes them from the
// community during a call: their part in it ends and the parish is gone
// from their navigation.
import { test, expect, Page } from '@playwright/test';
import { axeProblems, expectReachable } from './a11y';
import { caller, Caller, expectHears } from './callers';
import { PASSWORD, signedIn } from './helpers';

async function toPeople(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { name: 'People' })).toBeVisible();
}

test('an invitation brings a newcomer in; the admin calls, promotes, demotes and removes them, and invites them back', async ({ baseURL, browser }, info) => {
  test.setTimeout(180_000);
  const suffix = String(Date.now() % 1_000_000);
  const username = `wren${suffix}`;
  const name = `Wren ${suffix}`;
  const A = await caller(baseURL!, 'alice', 440);
  let N: Caller | undefined;
  try {
    await toPeople(A.page);
    await A.page.getByText('Invite people').click();
    await A.page.getByLabel('Lasts').selectOption({ label: 'A day' });
    await A.page.getByLabel('People it lets in').fill('2');
    await A.page.getByRole('button', { name: 'Make a link' }).click();
    await expect(A.page.getByTestId('invite-said')).toContainText('shown only once');
    const link = await A.page.getByTestId('new-link').inputValue();
    expect(link).toMatch(/\/signup\?invite=[\w-]{43}$/);
    const row = A.page.getByTestId('invite').first();
    await expect(row).toContainText('0 of 2 used');

    // The newcomer opens the link on a phone and signs up.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    await page.goto(link);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(page.getByTestId('invitation')).toHaveText("You are invited to join St. Anne's Parish.");
    await expect(page.getByLabel('Invitation code (if your parish gave you one)')).toBeHidden();
    await page.screenshot({ path: info.outputPath('signup-invited-phone.png'), fullPage: true });
    expect(await axeProblems(page)).toEqual([]);
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password (8 characters or more)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('navigation').getByRole('link', { name: 'Parish hall' })).toBeVisible();
    await phone.close();

    // Alice's list says who joined through the link.
    await A.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await toPeople(A.page);
    await A.page.getByText('Invite people').click();
    await expect(A.page.getByTestId('invite').first()).toContainText('1 of 2 used');
    await expect(A.page.getByRole('list', { name: /Joined through/ }).first()).toContainText(name);

    // Alice calls the newcomer from People; they answer and hear each other.
    N = await caller(baseURL!, username, 660);
    await A.page.getByLabel('Search people').fill(suffix);
    await A.page.getByRole('button', { name: `Call ${name}` }).click();
    await N.page.locator('#incoming-accept').click();
    await expectHears(A.page, [660], 'alice');
    await expectHears(N.page, [440], 'the newcomer');
    await A.page.getByRole('button', { name: 'End call' }).click();
    for (const p of [A.page, N.page]) await expect(p.getByTestId('call-panel')).toHaveCount(0);

    // Promoted, the newcomer's open Groups page offers to make a group;
    // demoted, it stops at once.
    await N.page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await expect(N.page.getByRole('heading', { name: 'Groups' })).toBeVisible();
    await expect(N.page.getByRole('button', { name: 'Make the group' })).toHaveCount(0);
    await toPeople(A.page);
    const person = A.page.getByTestId('person').filter({ hasText: name });
    await person.getByLabel(`Role of ${name}`).selectOption('coordinator');
    await expect(A.page.getByTestId('people-said')).toHaveText(`${name} is now coordinator.`);
    await expect(N.page.getByRole('button', { name: 'Make the group' })).toBeVisible();
    await person.getByLabel(`Role of ${name}`).selectOption('member');
    await expect(A.page.getByTestId('people-said')).toHaveText(`${name} is now member.`);
    await expect(N.page.getByRole('button', { name: 'Make the group' })).toHaveCount(0);

    // Removed from the community during a call: their part in it ends.
    await A.page.getByRole('button', { name: `Call ${name}` }).click();
    await N.page.locator('#incoming-accept').click();
    await expectHears(N.page, [440], 'the newcomer, before removal');
    await toPeople(A.page);
    await A.page.getByRole('button', { name: `Remove ${name}…` }).click();
    await A.page.getByRole('button', { name: `Remove ${name} from the community` }).click();
    await expect(A.page.getByTestId('people-said')).toHaveText(`${name} is no longer in the community.`);
    for (const p of [N.page, A.page]) await expect(p.getByTestId('call-panel')).toHaveCount(0);
    await expect(N.page.getByRole('navigation').getByRole('link', { name: 'Parish hall' })).toHaveCount(0);
    await expect(A.page.getByTestId('person').filter({ hasText: name })).toHaveCount(0);

    // Invited back through a new link, they join with the account they have.
    await A.page.getByText('Invite people').click();
    await A.page.getByRole('button', { name: 'Make a link' }).click();
    await expect(A.page.getByTestId('invite-said')).toContainText('shown only once');
    const again = await A.page.getByTestId('new-link').inputValue();
    await N.page.goto(again);
    await expect(N.page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(N.page.getByRole('heading', { name: 'Join with your account' })).toBeVisible();
    await expect(N.page.getByTestId('invitation')).toHaveText("You are invited to join St. Anne's Parish.");
    await N.page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(N.page.getByRole('navigation').getByRole('link', { name: 'Parish hall' })).toBeVisible();
    await toPeople(A.page);
    await expect(A.page.getByTestId('person').filter({ hasText: name })).toContainText('Member');
    expect([...A.errors, ...N.errors]).toEqual([]);
  } finally {
    await A.browser.close();
    await N?.browser.close();
  }
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`People as an admin on a ${label}: role, removal, invitation and webhook controls fit, axe finds nothing serious`, async ({ browser }, info) => {
    const alice = await signedIn(browser, 'alice', viewport);
    try {
      const page = alice.page;
      await page.goto('/people');
      await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
      await page.getByText('Invite people').click();
      await page.getByTestId('webhooks-panel').getByText('Webhooks', { exact: true }).click();
      await expect(page.getByTestId('webhooks-panel').getByText(/No webhooks yet|Last:|Nothing sent/).first()).toBeVisible();
      const dave = page.getByTestId('person').filter({ hasText: 'Dave Rossi' });
      await expectReachable(page, [
        page.getByLabel('Lasts'),
        page.getByLabel('People it lets in'),
        page.getByRole('button', { name: 'Make a link' }),
        page.getByLabel('Address'),
        page.getByRole('button', { name: 'Add webhook' }),
        dave.getByLabel('Role of Dave Rossi'),
        dave.getByRole('button', { name: 'Remove Dave Rossi…' }),
        dave.getByRole('button', { name: 'Message Dave Rossi' }),
      ]);
      await expect(dave.getByLabel('Role of Dave Rossi')).toHaveValue('member');
      await page.screenshot({ path: info.outputPath(`people-admin-${label}.png`), fullPage: true });
      expect(await axeProblems(page)).toEqual([]);
      expect(alice.errors).toEqual([]);
    } finally {
      await alice.context.close();
    }
  });
}
