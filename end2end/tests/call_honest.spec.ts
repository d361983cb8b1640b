// The call panel says "Connected" only once a person's audio can flow.
// Bob's browser may use relayed paths only and has no relay (as behind a
// firewall that lets nothing direct through), so his audio can never
// connect, though his signalling works: both
// panels show him "Connecting…", then "Can't connect audio" with a reason,
// and never "Connected", while alice, whose audio flows, is "Connected".
import { test, expect } from '@playwright/test';
import { caller } from './callers';
import { openChannel } from './helpers';
import { startBelfry } from './servers';

test('a person whose audio cannot connect is never shown as connected', async () => {
  test.setTimeout(90_000);
  const belfry = await startBelfry([], { BELFRY_DEMO: 'true', BELFRY_DEMO_PASSWORD: 'demo-password' });
  const A = await caller(belfry.url, 'alice', 440);
  const B = await caller(belfry.url, 'bob', 660);
  await B.page.context().addInitScript(() => {
    const Pc = (window as any).RTCPeerConnection;
    (window as any).RTCPeerConnection = function (config: any, ...rest: any[]) {
      return new Pc({ ...(config ?? {}), iceTransportPolicy: 'relay' }, ...rest);
    };
    (window as any).RTCPeerConnection.prototype = Pc.prototype;
  });
  await B.page.reload();
  await expect(B.page.locator('body[data-hydrated]')).toHaveCount(1);
  try {
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await B.page.locator('#incoming-accept').click();
    const bobOnA = A.page.getByTestId('call-person').and(A.page.locator('[data-user="bob"]'));
    const bobOnB = B.page.getByTestId('call-person').and(B.page.locator('[data-user="bob"]'));
    const aliceOnA = A.page.getByTestId('call-person').and(A.page.locator('[data-user="alice"]'));
    // Alice's audio reaches the server: she is connected on her own panel.
    await expect(aliceOnA).toContainText('Connected', { timeout: 15_000 });
    // Bob: "Connecting…", and never "Connected", until the grace runs out.
    await expect(bobOnA).toContainText('Connecting…');
    const seen = new Set<string>();
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const text = (await bobOnA.locator('.call-person-status').innerText()).split('\n')[0];
      seen.add(text.trim());
      if (text.includes("Can't connect audio")) break;
      await A.page.waitForTimeout(250);
    }
    expect([...seen].some((t) => t.startsWith('Connected')), `bob's row said: ${[...seen].join(' / ')}`).toBe(false);
    await expect(bobOnA).toContainText("Can't connect audio");
    await expect(bobOnA).toContainText('Their network is blocking the audio connection.');
    await expect(bobOnB).toContainText("Can't connect audio", { timeout: 10_000 });
    await expect(bobOnB).toContainText('Your network is blocking the audio connection.');
  } finally {
    await A.browser.close();
    await B.browser.close();
    await belfry.stop();
  }
});
