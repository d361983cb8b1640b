// A Belfry user in Debian's Firefox ESR, driven over WebDriver BiDi with
// puppeteer-core (Playwright cannot drive Debian's Firefox). Firefox's fake
// microphone plays a steady 1 kHz tone. Headless Firefox may have no audio
// output, so what a Firefox user hears is recorded (MediaRecorder) and
// decoded offline to find its loudest frequency.
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { probe } from './callers';
import { PASSWORD } from './helpers';

/** The tone of Firefox's fake microphone. */
export const FIREFOX_TONE = 1000;

export interface FirefoxUser { browser: Browser; page: Page; console: string[] }

export async function firefoxUser(baseURL: string, username: string): Promise<FirefoxUser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0,
      'media.autoplay.blocking_policy': 0,
      // Host candidates as they are: no mDNS names, every interface.
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.peerconnection.ice.default_address_only': false,
    },
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e}`));
  await page.evaluateOnNewDocument(probe);
  await page.goto(`${baseURL}/signin`);
  await page.waitForSelector('body[data-hydrated]');
  await page.type('#username', username);
  await page.type('#password', PASSWORD);
  await page.click('button[type=submit]:not([disabled])');
  await page.waitForSelector('nav[aria-label="Channels and studios"]');
  await page.waitForSelector('body[data-hydrated]');
  return { browser, page, console };
}

/** Opens a channel from the navigation by its visible name. */
export async function openChannelIn(page: Page, name: string) {
  await page.locator(`::-p-aria([name="${name}"][role="link"])`).click();
  await page.waitForFunction((n) => document.querySelector('#chat-title')?.textContent?.includes(n), {}, name);
}

/** Clicks the button with this accessible name. */
export async function press(page: Page, name: string) {
  await page.locator(`::-p-aria([name="${name}"][role="button"])`).click();
}

/** Records each live incoming audio track for `ms` and returns the loudest
 *  frequency of each and its RMS (16-bit scale). */
export async function firefoxHears(page: Page, ms = 2500): Promise<{ hz: number; rms: number }[]> {
  return page.evaluate(async (ms) => {
    const tracks: MediaStreamTrack[] = [];
    for (const pc of (window as any).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of pc.getReceivers()) {
        if (r.track?.kind === 'audio' && r.track.readyState === 'live') tracks.push(r.track);
      }
    }
    const one = async (track: MediaStreamTrack) => {
      const recorder = new MediaRecorder(new MediaStream([track]));
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((done) => (recorder.onstop = done));
      recorder.start();
      await new Promise((r) => setTimeout(r, ms));
      recorder.stop();
      await stopped;
      const bytes = await new Blob(chunks).arrayBuffer();
      const ctx = new OfflineAudioContext(1, 48000, 48000);
      const audio = await ctx.decodeAudioData(bytes);
      const x = audio.getChannelData(0);
      // The last second (the recorder's start may be silent).
      const n = Math.min(x.length, audio.sampleRate);
      const s = x.subarray(x.length - n);
      let energy = 0;
      for (const v of s) energy += v * v;
      const rms = Math.sqrt(energy / n) * 32768;
      let best = 0, hz = 0;
      for (let f = 100; f <= 2000; f += 2) {
        // Goertzel: the power at f.
        const k = (2 * Math.cos((2 * Math.PI * f) / audio.sampleRate));
        let a = 0, b = 0;
        for (const v of s) { const c = v + k * a - b; b = a; a = c; }
        const power = a * a + b * b - k * a * b;
        if (power > best) { best = power; hz = f; }
      }
      return { hz, rms };
    };
    return Promise.all(tracks.map(one));
  }, ms);
}
