// Playwright drives Debian's Chromium (no browser download) against the real
// Belfry server, which Playwright starts with a fresh database and demo data.
import { defineConfig } from '@playwright/test';

const port = process.env.E2E_PORT ?? '3199';
const baseURL = `http://127.0.0.1:${port}`;
const data = process.env.E2E_DATA ?? '/tmp';
/** Where the tests' stand-in push service listens (see tests/push_service.ts). */
export const pushPort = Number(process.env.E2E_PUSH_PORT ?? '3198');
/** Where the webhook spec's receiver listens (tests/webhooks.spec.ts). */
export const hookPort = Number(process.env.E2E_HOOK_PORT ?? '3197');

export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Set by .ci/e2e-netns: the run inside a network namespace, which takes
 *  the specs that need a non-loopback address (`*.netns.spec.ts`) and
 *  only those. */
const inNetns = Boolean(process.env.E2E_NETNS_HOST);
/** Set by `make bench-phone`: the measurements (`*.bench.ts`), only. */
const bench = Boolean(process.env.E2E_BENCH);

export default defineConfig({
  testDir: './tests',
  testMatch: bench ? /\.bench\.ts$/ : inNetns ? /\.netns\.spec\.ts$/ : /\.spec\.ts$/,
  testIgnore: inNetns ? [] : [/\.netns\.spec\.ts$/],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL,
    // A control that never shows fails its own step, named (callers.ts sets
    // the same for the browsers it launches).
    actionTimeout: 15_000,
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  webServer: {
    command: process.env.BELFRY_BIN ?? 'false',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      BELFRY_ADDR: `127.0.0.1:${port}`,
      BELFRY_DATABASE_URL: `sqlite://${data}/e2e.db`,
      BELFRY_SITE_ROOT: process.env.BELFRY_SITE_ROOT ?? '',
      BELFRY_DEMO: 'true',
      BELFRY_DEMO_PASSWORD: 'demo-password',
      BELFRY_LOG: process.env.BELFRY_LOG ?? 'warn',
      // Short enough for a test to watch a call go unanswered.
      BELFRY_RING_SECONDS: '8',
      // The stand-in push service is the only one the server may send to.
      BELFRY_PUSH_HOSTS: `127.0.0.1:${pushPort}`,
      // The webhook spec's receiver, on loopback over plain HTTP.
      BELFRY_WEBHOOK_HOSTS: `127.0.0.1:${hookPort}`,
      BELFRY_WEBHOOK_HOSTS_ONLY: 'true',
      // The suite signs in, rings and posts far more often than a person
      // would, all from one address; the limits have tests of their own.
      BELFRY_SIGNIN_FREE_TRIES_PER_ADDRESS: '1000',
      BELFRY_SIGNUPS_PER_HOUR: '1000',
      BELFRY_RINGS_PER_MINUTE: '1000',
      BELFRY_MESSAGES_PER_MINUTE: '10000',
      BELFRY_PUSH_SUBSCRIBES_PER_HOUR: '1000',
    },
  },
});
