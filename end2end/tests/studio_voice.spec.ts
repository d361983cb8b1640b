// A studio's drop-in voice room through Belfry's UI and WASM client: no
// ringing, two collaborators join from the studio header, hear each other
// by tone, see who speaks and who muted, and one leaves.
import { test, expect, Page } from '@playwright/test';
import { caller, heard, expectHears, pcStates } from './callers';
import { api, person } from './livekit';

const voicePerson = (page: Page, name: string) =>
  page.locator(`[data-testid=voice-person][data-name="${name}"]`);

async function openStudio(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Recording studio' }).click();
  await expect(page.locator('#studio-title')).toHaveText('Recording studio');
}

test('two collaborators drop into the studio voice room and hear each other', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const A = await caller(baseURL!, 'alice', 440);
  const C = await caller(baseURL!, 'carol', 880);
  try {
    await openStudio(A.page);
    await openStudio(C.page);
    await A.page.getByRole('button', { name: 'Join voice' }).click();
    await expect(voicePerson(A.page, 'Alice Martin')).toContainText('(you)');
    await C.page.getByRole('button', { name: 'Join voice' }).click();
    for (const page of [A.page, C.page]) {
      await expect(page.getByTestId('voice-person')).toHaveCount(2);
    }
    // Initials, upper-cased by the browser for the WASM.
    await expect(voicePerson(A.page, 'Carol Nguyen').locator('.voice-avatar')).toHaveText('CN');
    await expectHears(A.page, [880], 'alice');
    await expectHears(C.page, [440], 'carol');
    await expect(voicePerson(A.page, 'Carol Nguyen')).toHaveAttribute('data-speaking', 'true');
    await expect(voicePerson(C.page, 'Alice Martin')).toHaveAttribute('data-speaking', 'true');

    // Carol mutes: Alice sees it, and Carol's tone stops reaching her.
    await C.page.getByTestId('voice-mute').click();
    await expect(voicePerson(A.page, 'Carol Nguyen').locator('.muted-mark')).toBeVisible();
    await A.page.waitForTimeout(1500);
    // Alice receives one track: Carol's.
    const first = (await heard(A.page))[0];
    await A.page.waitForTimeout(1000);
    const later = (await heard(A.page))[0];
    expect(later.packets - first.packets, 'nothing forwarded while muted').toBeLessThan(5);
    expect(later.level).toBeLessThan(0.01);

    // Carol leaves: her connections close, Alice sees her go.
    await C.page.getByRole('button', { name: 'Leave' }).click();
    await expect(C.page.getByTestId('voice-panel')).toHaveCount(0);
    await expect.poll(async () => (await pcStates(C.page)).every((s) => s === 'closed')).toBe(true);
    await expect(voicePerson(A.page, 'Carol Nguyen')).toHaveCount(0, { timeout: 10_000 });
    expect(A.errors.concat(C.errors)).toEqual([]);
  } finally {
    await A.browser.close();
    await C.browser.close();
  }
});

test('someone outside the studio cannot join its voice room', async ({ baseURL }) => {
  const alice = await person(baseURL!, 'alice');
  const spaces = await api(alice, 'my_spaces');
  const studio = spaces.studios[0];
  const dave = await person(baseURL!, 'dave');
  const res = await dave.post('/api/join_studio_voice', { data: { studio_id: studio.id } });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain('not a member of this studio');
});
