// Busy and call waiting: ringing someone already on a call does not ring
// them; the caller is told who is busy, the call in progress goes on, and
// the busy person is offered "End and call back" (the call is over) or
// "End and answer" (it is still live), or Dismiss / Decline.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { signedIn, openChannel } from './helpers';
import { axeProblems, expectLaidOut } from './a11y';

const person = (page: Page, who: string) =>
  page.locator(`[data-testid=call-person][data-user=${who}]`);

/// Alice calls Bob and he answers: Bob is busy from here on.
async function aliceAndBobOnACall(A: Page, B: Page) {
  await openChannel(A, 'Bob Okafor');
  await A.getByRole('button', { name: 'Start voice call' }).click();
  await B.locator('#incoming-accept').click();
  await expect(person(A, 'bob')).toContainText('Connected');
}

/// Carol calls these people from the parish hall.
async function carolCallsFromTheHall(C: Page, names: string[]) {
  await C.getByRole('navigation').getByRole('link').filter({ hasText: /hall/i }).first().click();
  await C.getByRole('button', { name: 'Start voice call' }).click();
  const picker = C.getByRole('form', { name: 'Choose whom to call' });
  for (const name of names) await picker.getByLabel(name, { exact: false }).check();
  const count = names.length === 1 ? '1 person' : `${names.length} people`;
  await picker.getByRole('button', { name: `Call ${count}` }).click();
}

type Who = Awaited<ReturnType<typeof signedIn>>;

/// Alice, Bob and Carol signed in, Alice and Bob on a call; afterwards
/// whoever still has a call panel ends it (so nobody is left busy for the
/// tests after this one) and the browsers close.
async function withBobOnACall(browser: Browser, body: (A: Who, B: Who, C: Who) => Promise<void>) {
  const A = await signedIn(browser, 'alice');
  const B = await signedIn(browser, 'bob');
  const C = await signedIn(browser, 'carol');
  try {
    await aliceAndBobOnACall(A.page, B.page);
    await body(A, B, C);
  } finally {
    for (const { page } of [A, B, C]) {
      const end = page.getByTestId('call-panel').getByRole('button', { name: /End call|Leave call|Cancel call/ });
      if (await end.count().catch(() => 0)) await end.first().click().catch(() => {});
    }
    for (const { page } of [A, B, C]) await expect(page.getByTestId('call-panel')).toHaveCount(0).catch(() => {});
    for (const who of [A, B, C]) await who.context.close();
  }
}

test('a busy person is not rung, the caller is told, and "End and call back" rings the caller', async ({ browser }) => {
  await withBobOnACall(browser, async (A, B, C) => {
    await carolCallsFromTheHall(C.page, ['Bob']);
    await expect(C.page.getByRole('alert')).toContainText('Bob Okafor is on another call');
    await expect(C.page.getByTestId('call-announcer')).toHaveText('Bob Okafor is on another call');
    await expect(C.page.getByTestId('call-panel')).toHaveCount(0);

    // Bob is told, without a ring, and keeps his call.
    const waiting = B.page.getByTestId('call-waiting');
    await expect(waiting).toContainText('Carol Nguyen called');
    await expect(waiting).toContainText('You were on another call');
    await expect(B.page.getByTestId('incoming-call'), 'bob is not rung').toHaveCount(0);
    await expect(waiting).toHaveAttribute('data-ringing', 'false');
    await expect(B.page.getByTestId('call-announcer')).toHaveText(
      'Carol Nguyen called while you were on another call',
    );
    await expect(person(A.page, 'bob')).toContainText('Connected');
    await expect(B.page.getByTestId('call-panel')).toBeVisible();

    // The keyboard lands on the offer; Enter ends this call and rings Carol.
    const callBack = waiting.getByRole('button', { name: 'End and call back' });
    await expect(callBack).toBeFocused();
    await B.page.keyboard.press('Enter');
    await expect(waiting).toHaveCount(0);
    await expect(A.page.getByTestId('call-panel'), "alice's call ended").toHaveCount(0);
    const ring = C.page.getByTestId('incoming-call');
    await expect(ring).toContainText('Bob Okafor is calling');
    await C.page.locator('#incoming-accept').click();
    await expect(person(B.page, 'carol')).toContainText('Connected');
    await expect(person(C.page, 'bob')).toContainText('Connected');
  });
});

test('a live call that found someone busy offers "End and answer"; Dismiss keeps the call', async ({ browser }) => {
  await withBobOnACall(browser, async (A, B, C) => {
    // First a call that is over at once: Bob dismisses it and stays.
    await carolCallsFromTheHall(C.page, ['Bob']);
    const waiting = B.page.getByTestId('call-waiting');
    await waiting.getByRole('button', { name: 'Dismiss' }).click();
    await expect(waiting).toHaveCount(0);
    await expect(person(A.page, 'bob')).toContainText('Connected');
    await C.page.getByRole('alert').waitFor();

    // Then one that still rings Dave: Bob may join it.
    await carolCallsFromTheHall(C.page, ['Bob', 'Dave']);
    await expect(person(C.page, 'dave')).toContainText(/Ringing/i);
    await expect(waiting).toContainText('Carol Nguyen is calling');
    await expect(waiting).toContainText('Group call in Parish hall · you are on another call');
    await expect(B.page.getByTestId('call-announcer')).toHaveText(
      'Carol Nguyen is calling. You are on another call.',
    );
    await expectLaidOut(B.page, [
      waiting.getByRole('button', { name: 'Decline' }),
      waiting.getByRole('button', { name: 'End and answer' }),
    ]);
    expect(await axeProblems(B.page), 'call waiting').toEqual([]);
    await waiting.getByRole('button', { name: 'End and answer' }).click();
    await expect(waiting).toHaveCount(0);
    await expect(A.page.getByTestId('call-panel'), "alice's call ended").toHaveCount(0);
    await expect(person(C.page, 'bob')).toContainText('Connected');
    await expect(person(B.page, 'carol')).toContainText('Connected');
    await expect(B.page.getByTestId('call-panel')).toContainText('Parish hall');
  });
});
