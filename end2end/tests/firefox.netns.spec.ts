// Firefox as a tested browser: a Belfry user in Debian's Firefox ESR and
// one in Chromium call each other both ways through the embedded SFU, and
// each hears the other's tone. Firefox never offers loopback candidates,
// so this runs inside a network namespace (.ci/e2e-netns) with the SFU's
// UDP socket on one end of a veth pair.
import { test, expect } from '@playwright/test';
import { caller, expectHears, near } from './callers';
import { FIREFOX_TONE, firefoxHears, firefoxUser, openChannelIn, press } from './firefox';
import { openChannel } from './helpers';
import { startBelfry } from './servers';

const HOST = process.env.E2E_NETNS_HOST ?? '';
test.skip(!HOST, 'needs a network namespace: .ci/e2e-netns runs this');

test('a Firefox user and a Chromium user call each other both ways and each hears the other', async () => {
  test.setTimeout(150_000);
  const belfry = await startBelfry([], {
    BELFRY_MEDIA_UDP: `${HOST}:0`, BELFRY_MEDIA_TCP: 'off',
    BELFRY_DEMO: 'true', BELFRY_DEMO_PASSWORD: 'demo-password',
  });
  const alice = await caller(belfry.url, 'alice', 440);
  const bob = await firefoxUser(belfry.url, 'bob');
  const firefoxHearsAlice = async (who: string) => {
    await expect.poll(async () => (await firefoxHears(bob.page))
      .some((h) => h.rms > 300 && near(h.hz, 440)), { timeout: 30_000, message: who }).toBe(true);
  };
  try {
    // Bob rings from Firefox; alice answers in Chromium.
    await openChannelIn(bob.page, 'Alice Martin');
    await press(bob.page, 'Start voice call');
    await alice.page.locator('#incoming-accept').click();
    await expectHears(alice.page, [FIREFOX_TONE], 'alice (Chromium) hears bob (Firefox)');
    await firefoxHearsAlice('bob (Firefox) hears alice (Chromium)');
    await alice.page.getByRole('button', { name: 'End call' }).click();
    await bob.page.waitForFunction(() => !document.querySelector('.call-panel'), { timeout: 20_000 });

    // Alice rings from Chromium; bob answers in Firefox.
    await openChannel(alice.page, 'Bob Okafor');
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    await bob.page.waitForSelector('#incoming-accept');
    await bob.page.click('#incoming-accept');
    await expectHears(alice.page, [FIREFOX_TONE], 'alice hears bob, who answered in Firefox');
    await firefoxHearsAlice('bob, who answered in Firefox, hears alice');
    await press(bob.page, 'End call');
    await expect(alice.page.getByRole('button', { name: 'End call' })).toHaveCount(0, { timeout: 20_000 });
  } catch (e) {
    console.log(`Firefox's console:\n${bob.console.slice(-30).join('\n')}`);
    throw e;
  } finally {
    await bob.browser.close().catch(() => {});
    await alice.browser.close();
    await belfry.stop();
  }
});
