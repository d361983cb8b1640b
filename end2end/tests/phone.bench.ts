// What a person on a mid-range phone waits for: a measurement, not a test
// (`make bench-phone`; BENCH_RUNS, 5 by default). The phone is Chromium with
// its CPU slowed 4x and its network shaped to a mid-range mobile link
// (1.6 Mbps down, 750 kbps up, 150 ms round trip), both through the
// DevTools protocol, at 390x844. DevTools shapes what goes through the
// network stack (pages, files, requests); WebRTC's audio is not shaped.
// Prints the median of the runs, and each run, for:
// 1. opening the sign-in page, with an empty cache, to the chat's call
//    button being usable (signed in, channel open, the page hydrated);
// 2. the ring's event reaching the callee's page to its overlay in the page
//    (the end of the task that draws it, after which it is painted);
// 3. Accept to the caller's first audio reaching the callee.
import { test, expect, Page } from '@playwright/test';
import { caller, timeClickToAudio, firstAudioMs, hangUp } from './callers';
import { PASSWORD, openChannel } from './helpers';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PHONE_VIEWPORT = { width: 390, height: 844 };

/** Slows `page` to the phone's CPU and network. */
async function asPhone(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: 1_600_000 / 8,
    uploadThroughput: 750_000 / 8,
  });
}

/** In the page, before the app: once armed (just before the caller
 *  rings), the time of the first live event (binary: the ring) and of the
 *  incoming-call overlay appearing. */
function ringClock() {
  const w = window as any;
  const Socket = w.WebSocket;
  const Clocked = function (this: any, url: string, ...rest: any[]) {
    const socket = new Socket(url, ...rest);
    if (String(url).includes('/api/events')) {
      socket.addEventListener('message', (m: MessageEvent) => {
        if (w.__ringAt === undefined && w.__armed && m.data) {
          w.__ringAt = performance.now();
        }
      });
    }
    return socket;
  } as any;
  Clocked.prototype = Socket.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Clocked[k] = Socket[k];
  w.WebSocket = Clocked;
  new MutationObserver(() => {
    if (w.__armed && w.__overlayAt === undefined && document.querySelector('[data-testid="incoming-call"]')) {
      w.__overlayAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('a mid-range phone: sign-in to a usable call button, ring to overlay, Accept to audio', async ({ baseURL }) => {
  test.setTimeout(RUNS * 90_000);
  const toButton: number[] = [];
  const ringToOverlay: number[] = [];
  const acceptToAudio: number[] = [];
  const phases = { signInPage: [] as number[], home: [] as number[], chat: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    // 1. Bob's phone, cold: the sign-in page to the call button.
    const bob = await caller(baseURL!, 'bob', 440, PHONE_VIEWPORT, {
      beforeSignIn: async (page) => {
        await page.context().addInitScript(ringClock);
        await asPhone(page);
      },
      signIn: false,
    });
    const page = bob.page;
    const started = Date.now();
    await page.goto('/signin');
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1, { timeout: 60_000 });
    phases.signInPage.push(Date.now() - started);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill(PASSWORD);
    const submitted = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Channels and studios' })).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1, { timeout: 60_000 });
    phases.home.push(Date.now() - submitted);
    const opening = Date.now();
    await openChannel(page, 'Alice Martin');
    const call = page.getByRole('button', { name: 'Start voice call' });
    await expect(call).toBeEnabled({ timeout: 60_000 });
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    toButton.push(Date.now() - started);
    phases.chat.push(Date.now() - opening);

    // 2. Alice (an ordinary desktop) rings; Bob's phone shows the overlay.
    const alice = await caller(baseURL!, 'alice', 660);
    await openChannel(alice.page, 'Bob Okafor');
    await page.evaluate(() => { (window as any).__armed = true; });

    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(page.getByTestId('incoming-call')).toBeVisible({ timeout: 30_000 });
    const { ringAt, overlayAt } = await page.evaluate(() => ({
      ringAt: (window as any).__ringAt, overlayAt: (window as any).__overlayAt,
    }));
    expect(ringAt, 'the ring came over the live event stream').toBeDefined();
    ringToOverlay.push(overlayAt - ringAt);

    // 3. Accept to the first audio from Alice.
    await timeClickToAudio(page, '#incoming-accept');
    await page.locator('#incoming-accept').click();
    await expect.poll(() => firstAudioMs(page), { timeout: 30_000 }).toBeDefined();
    acceptToAudio.push((await firstAudioMs(page))!);

    await hangUp(alice.page, page);
    await alice.browser.close();
    await bob.browser.close();
  }
  const row = (what: string, xs: number[]) =>
    console.log(`| ${what} | ${median(xs).toFixed(0)} ms | ${xs.map((x) => x.toFixed(0)).join(', ')} |`);
  console.log(`\nA mid-range phone (CPU 4x slower; 1.6 Mbps down, 750 kbps up, 150 ms RTT), ${RUNS} runs:\n`);
  console.log('| From, to | Median | Runs |');
  console.log('|---|---|---|');
  row('Sign-in page opened (empty cache) to the chat\'s call button usable', toButton);
  row('The ring reaching the callee\'s page to the overlay in the page', ringToOverlay);
  row('Accept to the caller\'s first audio at the callee', acceptToAudio);
  console.log('\nThe first, in parts:\n');
  console.log('| Part | Median | Runs |');
  console.log('|---|---|---|');
  row('Sign-in page opened to hydrated', phases.signInPage);
  row('"Sign in" to the signed-in page hydrated', phases.home);
  row('A click on the channel to its call button usable', phases.chat);
});
