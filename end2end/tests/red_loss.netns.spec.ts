// The loss benchmark (`make bench-loss`; a measurement, not a test: it
// asserts nothing of the figures and is skipped unless BELFRY_BENCH_LOSS
// is set). A Chromium publisher (440 Hz) and a Chromium listener call
// through the embedded SFU with every datagram crossing a lossy, jittery
// relay (udp_impair.ts) at 0, 5, 10 and 20 % loss, with RED on and off
// (the publisher's `belfry.audio.red` setting). Reported per run: the
// listener's concealed-sample ratio over 15 s (concealedSamples /
// totalSamplesReceived from getStats) and the tone it hears.
import { test } from '@playwright/test';
import { caller, heard, near } from './callers';
import { openChannel } from './helpers';
import { startBelfry } from './servers';
import { impair } from './udp_impair';

const HOST = process.env.E2E_NETNS_HOST ?? '';
const RELAY = '10.231.0.2';
test.skip(!HOST || !process.env.BELFRY_BENCH_LOSS, 'the loss benchmark: make bench-loss');

/** The listener's inbound audio: concealed and received samples. */
async function samples(page: import('@playwright/test').Page) {
  return page.evaluate(async () => {
    let concealed = 0, total = 0;
    for (const pc of (window as any).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: any) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          concealed += s.concealedSamples ?? 0;
          total += s.totalSamplesReceived ?? 0;
        }
      });
    }
    return { concealed, total };
  });
}

const rows: string[] = [];

for (const loss of [0, 5, 10, 20]) {
  for (const red of [true, false]) {
    test(`loss ${loss} %, RED ${red ? 'on' : 'off'}`, async () => {
      test.setTimeout(120_000);
      const port = 40_000 + Math.floor(Math.random() * 10_000);
      const belfry = await startBelfry([], {
        BELFRY_MEDIA_UDP: `${HOST}:${port}`, BELFRY_MEDIA_TCP: 'off', BELFRY_MEDIA_ADVERTISE: RELAY,
        BELFRY_DEMO: 'true', BELFRY_DEMO_PASSWORD: 'demo-password',
      });
      const relay = await impair({ host: RELAY, port }, { host: HOST, port }, loss / 100);
      const setting = async (page: import('@playwright/test').Page) => {
        await page.addInitScript((v) => localStorage.setItem('belfry.audio.red', v), red ? 'on' : 'off');
      };
      const alice = await caller(belfry.url, 'alice', 440, undefined, { beforeSignIn: setting });
      const bob = await caller(belfry.url, 'bob', 660, undefined, { beforeSignIn: setting });
      try {
        await openChannel(alice.page, 'Bob Okafor');
        await alice.page.getByRole('button', { name: 'Start voice call' }).click();
        await bob.page.locator('#incoming-accept').click();
        await test.expect.poll(async () => (await heard(bob.page)).some((h) => h.level > 0 && near(h.hz, 440)),
          { timeout: 60_000, message: 'the call connects through the lossy path' }).toBe(true);
        await bob.page.waitForTimeout(3_000);
        const start = await samples(bob.page);
        await bob.page.waitForTimeout(15_000);
        const end = await samples(bob.page);
        const tone = (await heard(bob.page)).map((h) => h.hz);
        const ratio = (end.concealed - start.concealed) / Math.max(1, end.total - start.total);
        const onTone = tone.some((hz) => near(hz, 440));
        const row = `| ${loss} % | ${red ? 'on' : 'off'} | ${(ratio * 100).toFixed(2)} % | ${onTone ? 'yes' : 'no'} (${tone.map((h) => h.toFixed(0)).join(', ')} Hz) | ${relay.dropped()}/${relay.dropped() + relay.passed()} |`;
        rows.push(row);
        console.log(row);
      } finally {
        await alice.browser.close();
        await bob.browser.close();
        relay.close();
        await belfry.stop();
      }
    });
  }
}

test.afterAll(() => {
  if (rows.length === 0) return;
  console.log(['', '| loss on each link | RED | concealed | on 440 Hz | datagrams dropped |',
    '|---|---|---|---|---|', ...rows].join('\n'));
});
