// People: bob finds dave in the community's directory, messages him (the
// direct conversation is made on the spot) and calls him; dave answers and
// they hear each other. Dave, opening People by its address, sees bob
// online; bob, moving to People during the call, sees dave in it.
import { test, expect } from '@playwright/test';
import { axeProblems, expectLaidOut } from './a11y';
import { caller, expectHears, hangUp } from './callers';
import { signedIn } from './helpers';

test('bob finds dave in People, messages him, calls him, and they hear each other', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const B = await caller(baseURL!, 'bob', 440);
  const D = await caller(baseURL!, 'dave', 660);
  try {
    // Dave opens People by its address (rendered by the server, then live).
    await D.page.goto('/people');
    await expect(D.page.locator('body[data-hydrated]')).toHaveCount(1);
    const bobRow = D.page.getByTestId('person').filter({ hasText: 'Bob Okafor' });
    await expect(bobRow).toContainText('Online');
    await expect(D.page.getByTestId('person').filter({ hasText: 'Alice' })).toContainText('Admin');

    // Bob, from the navigation, searches by keyboard.
    await B.page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
    await expect(B.page.getByRole('heading', { name: 'People' })).toBeVisible();
    await B.page.getByLabel('Search people').fill('dav');
    await expect(B.page.getByTestId('person').filter({ visible: true })).toHaveCount(1);
    await expect(B.page.getByText('1 match')).toBeVisible();
    await B.page.getByRole('button', { name: 'Message Dave Rossi' }).click();
    await expect(B.page).toHaveURL(/\/c\/\d+$/);
    await expect(B.page.locator('#chat-title')).toContainText('Dave Rossi');
    await B.page.getByRole('textbox', { name: 'Message' }).fill('Hello Dave, are you free?');
    await B.page.keyboard.press('Enter');
    // The new conversation reaches dave's navigation and its message with it.
    await D.page.getByRole('navigation').getByRole('link', { name: 'Bob Okafor' }).click();
    await expect(D.page.getByTestId('message-list').getByText('Hello Dave, are you free?')).toBeVisible();

    // Back in People, bob calls dave: the same conversation, ringing.
    await B.page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
    await B.page.getByRole('button', { name: 'Call Dave Rossi' }).click();
    await expect(B.page.locator('#chat-title')).toContainText('Dave Rossi');
    await D.page.locator('#incoming-accept').click();
    await expectHears(B.page, [660], 'bob');
    await expectHears(D.page, [440], 'dave');
    // People, opened during the call, shows dave in it.
    await B.page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
    await expect(B.page.getByTestId('person').filter({ hasText: 'Dave Rossi' })).toContainText('In a call');
    await expectHears(D.page, [440], 'dave, bob having moved page');
    await hangUp(B.page, D.page);
  } finally {
    await B.browser.close();
    await D.browser.close();
  }
});

test('People on a phone: every row’s controls fit and can be tapped, and axe finds nothing serious', async ({ browser }) => {
  const { context, page, errors } = await signedIn(browser, 'carol', { width: 375, height: 740 });
  try {
    await page.goto('/people');
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    const dave = page.getByTestId('person').filter({ hasText: 'Dave Rossi' });
    await expectLaidOut(page, [
      page.getByLabel('Search people'),
      dave.getByRole('button', { name: 'Message Dave Rossi' }),
      dave.getByRole('button', { name: 'Call Dave Rossi' }),
    ]);
    // Carol is listed as herself, with nothing to press.
    const me = page.getByTestId('person').filter({ hasText: '(you)' });
    await expect(me).toHaveCount(1);
    await expect(me.getByRole('button')).toHaveCount(0);
    await page.getByLabel('Search people').fill('nobody-here');
    await expect(page.getByText('Nobody by that name.')).toBeVisible();
    expect(await axeProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
