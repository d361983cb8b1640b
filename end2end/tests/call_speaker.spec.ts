// The speaker / earpiece toggle. It shows only where the browser can choose
// the audio output and names both a loudspeaker and an earpiece, as phones
// do. There is no phone here: alice's page is given a phone's output list
// (an init script adds "Earpiece" and "Speakerphone" to enumerateDevices and
// records setSinkId), so this test mocks the device list, not Belfry.
import { test, expect } from '@playwright/test';
import { signedIn, openChannel } from './helpers';
import { expectLaidOut } from './a11y';

test('speaker toggle with a mocked phone output list switches earpiece and loudspeaker; a desktop has none', async ({ browser }) => {
  const A = await signedIn(browser, 'alice', { width: 390, height: 844 });
  const B = await signedIn(browser, 'bob');
  await A.context.addInitScript(() => {
    const real = MediaDevices.prototype.enumerateDevices;
    const output = (deviceId: string, label: string) =>
      Object.create(MediaDeviceInfo.prototype, {
        deviceId: { value: deviceId },
        groupId: { value: 'phone' },
        kind: { value: 'audiooutput' },
        label: { value: label },
      });
    MediaDevices.prototype.enumerateDevices = async function () {
      const list = await real.call(this);
      return [...list, output('ear-1', 'Earpiece'), output('spk-1', 'Speakerphone')];
    };
    (window as any).sinks = [];
    HTMLMediaElement.prototype.setSinkId = function (id: string) {
      (window as any).sinks.push(id);
      return Promise.resolve();
    };
  });
  await A.page.reload();
  await expect(A.page.locator('body[data-hydrated]')).toHaveCount(1);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await B.page.locator('#incoming-accept').click();
    await expect(A.page.locator('[data-testid=call-person][data-user=bob]')).toContainText('Connected');

    // Bob's desktop Chromium names no earpiece: no toggle, the menu only.
    await expect(B.page.getByTestId('call-panel')).toBeVisible();
    await expect(B.page.getByTestId('speaker-toggle')).toHaveCount(0);

    const toggle = A.page.getByTestId('speaker-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    const panel = A.page.getByTestId('call-panel');
    await expectLaidOut(A.page, [
      panel.getByTestId('mute'),
      toggle,
      panel.getByRole('button', { name: 'End call' }),
    ]);
    // Bob's audio element exists once his track plays: the sink follows.
    await expect.poll(() => A.page.locator('audio').count()).toBeGreaterThan(0);
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => A.page.evaluate(() => (window as any).sinks.at(-1))).toBe('spk-1');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(() => A.page.evaluate(() => (window as any).sinks.at(-1))).toBe('ear-1');
    // The choice is the Audio menu's too.
    await A.page.getByText('Audio', { exact: true }).click();
    await expect(A.page.getByLabel('Speaker')).toHaveValue('ear-1');
  } finally {
    await A.page.getByTestId('call-panel').getByRole('button', { name: 'End call' }).click().catch(() => {});
    await expect(B.page.getByTestId('call-panel')).toHaveCount(0).catch(() => {});
    for (const who of [A, B]) await who.context.close();
  }
});
