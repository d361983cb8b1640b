// The installable app: the manifest and its icons, Chromium's own
// installability verdict, the service worker's cache (the app shell and
// the sign-in page, never an API answer), and the sign-in page offline.
import { test, expect, chromium, Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs } from '../playwright.config';
import { signIn } from './helpers';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer) {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function workerReady(page: Page) {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return { scope: reg.scope, script: reg.active?.scriptURL ?? '' };
  });
}

test('the manifest, its icons and the service worker make Belfry installable', async ({ page, request, baseURL }) => {
  const res = await request.get('/manifest.webmanifest');
  expect(res.ok()).toBe(true);
  expect(res.headers()['content-type']).toContain('manifest+json');
  const manifest = await res.json();
  expect(manifest).toMatchObject({
    name: 'Belfry', short_name: 'Belfry', start_url: '/', scope: '/', display: 'standalone',
  });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  const pngs = manifest.icons.filter((i: any) => i.type === 'image/png');
  for (const size of [192, 512]) {
    for (const purpose of ['any', 'maskable']) {
      const icon = pngs.find((i: any) => i.sizes === `${size}x${size}` && i.purpose === purpose);
      expect(icon, `a ${size}px ${purpose} icon`).toBeTruthy();
      const bytes = Buffer.from(await (await request.get(icon.src)).body());
      expect(pngSize(bytes)).toEqual({ width: size, height: size });
    }
  }

  await page.goto('/signin');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
  const sw = await workerReady(page);
  expect(sw.scope).toBe(`${baseURL}/`);
  expect(sw.script).toContain('/sw.js?device=');
  // The worker answers with no HTTP caching and this build's version.
  const script = await request.get('/sw.js');
  expect(script.headers()['cache-control']).toBe('no-cache');
  expect(await script.text()).not.toContain('__BELFRY_VERSION__');

});

test('Chromium itself judges Belfry installable', async ({ baseURL }) => {
  // Chromium's own verdict (what Lighthouse reports as installability). It
  // refuses every incognito profile, so this runs in a real one.
  const profile = mkdtempSync(join(tmpdir(), 'belfry-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', args: chromiumArgs, baseURL,
  });
  try {
    const page = await context.newPage();
    await page.goto('/signin');
    await workerReady(page);
    const cdp = await context.newCDPSession(page);
    await expect.poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors)
      .toEqual([]);
    const { url, data } = await cdp.send('Page.getAppManifest');
    expect(url).toBe(`${baseURL}/manifest.webmanifest`);
    expect(JSON.parse(data!).name).toBe('Belfry');
    // Chromium offers to install it: Belfry's own button appears.
    await signIn(page, 'carol');
    await expect(page.getByRole('button', { name: 'Install Belfry' })).toBeVisible();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('the shell is cached, API answers never are, and the sign-in page opens offline', async ({ page, context }) => {
  await signIn(page, 'alice');
  await workerReady(page);
  // Wait for the worker to control the page, then use the app a little.
  await page.reload();
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await page.getByRole('navigation').getByRole('link', { name: 'Choir' }).click();
  await expect(page.locator('#chat-title')).toContainText('Choir');

  const cached = await page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
    }
    return out;
  });
  const names = Object.keys(cached);
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^belfry-shell-/);
  const paths = cached[names[0]];
  for (const p of ['/pkg/belfry.js', '/pkg/belfry_bg.wasm', '/pkg/belfry.css', '/signin', '/manifest.webmanifest']) {
    expect(paths).toContain(p);
  }
  // The sign-in page's own code, split out of the WASM, is kept for offline.
  expect(paths.filter((p) => /^\/pkg\/split_sign_in_pages\.[0-9a-f]{16}\.wasm$/.test(p))).toHaveLength(1);
  expect(paths.filter((p) => p.startsWith('/api/') || p.startsWith('/rtc') || p.startsWith('/c/'))).toEqual([]);
  // The cached sign-in page is the signed-out one: nobody's name in it.
  const signInHtml = await page.evaluate(async () => (await caches.match('/signin'))!.text());
  expect(signInHtml).not.toContain('Alice Martin');

  // Offline: the app's own pages fall back to the cached sign-in page.
  await context.setOffline(true);
  try {
    await page.goto('/signin');
    await expect(page.getByLabel('Username')).toBeVisible();
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await page.goto('/c/1');
    await expect(page.getByLabel('Password')).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});

test('turning on ringing says plainly when the browser cannot reach its push service', async ({ page, context, baseURL }) => {
  // Headless Chromium here has no route to its push service (FCM), as on a
  // de-Googled phone: the switch must stay off and say why.
  await context.grantPermissions(['notifications'], { origin: baseURL });
  await signIn(page, 'dave');
  const ring = page.getByRole('switch', { name: 'Ring this device when Belfry is closed' });
  await expect(ring).toHaveAttribute('aria-checked', 'false');
  await ring.click();
  await expect(page.getByRole('alert')).toContainText('push service', { timeout: 30_000 });
  await expect(ring).toHaveAttribute('aria-checked', 'false');
  await expect(ring).toBeEnabled();
});

test('an install offer made before the app has loaded is kept: Install Belfry shows and opens the browser\'s dialog', async ({ page }) => {
  // Chromium decides when to offer; here the offer comes as soon as the page
  // is parsed, long before the WASM has loaded and listens for it.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const offer: any = new Event('beforeinstallprompt', { cancelable: true });
      offer.prompt = () => { (window as any).__prompted = true; };
      window.dispatchEvent(offer);
      (window as any).__offerKept = offer.defaultPrevented;
    });
  });
  await signIn(page, 'carol');
  expect(await page.evaluate(() => (window as any).__offerKept), 'the page kept it').toBe(true);
  const install = page.getByRole('button', { name: 'Install Belfry' });
  await expect(install).toBeVisible();
  await install.click();
  expect(await page.evaluate(() => (window as any).__prompted)).toBe(true);
});
