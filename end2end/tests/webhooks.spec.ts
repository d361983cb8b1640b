// Webhooks from the admin's screen: alice adds her parish site's address
// (a receiver on loopback here), is shown its signing secret once, rings
// bob, and the receiver gets the call's events, each signed as the README
// says to check; the panel then shows the last delivery, and the hook is
// removed.
import { test, expect, Page } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { hookPort } from '../playwright.config';
import { openChannel, signedIn } from './helpers';

interface Post { event: string; signature: string; body: string }

function receiver(): Promise<{ posts: Post[]; close: () => Promise<void> }> {
  const posts: Post[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      posts.push({
        event: String(req.headers['belfry-event']),
        signature: String(req.headers['belfry-signature']),
        body,
      });
      res.writeHead(204).end();
    });
  });
  return new Promise((ok) => server.listen(hookPort, '127.0.0.1', () => ok({
    posts,
    close: () => new Promise((done) => server.close(() => done())),
  })));
}

/** The README's three lines. */
function verify(secret: string, header: string, rawBody: string): boolean {
  const [t, v1] = header.split(',').map((p) => p.split('=')[1]);
  const want = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return v1.length === want.length && crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(want)) && Math.abs(Date.now() / 1000 - Number(t)) < 300;
}

async function toPeople(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { name: 'People' })).toBeVisible();
}

test('an admin adds a webhook, its receiver gets a call\'s events signed, the panel shows the last delivery', async ({ browser }) => {
  const hook = await receiver();
  const A = await signedIn(browser, 'alice');
  const B = await signedIn(browser, 'bob');
  try {
    await toPeople(A.page);
    const panel = A.page.getByTestId('webhooks-panel');
    await panel.getByText('Webhooks', { exact: true }).click();
    await expect(panel.getByText('No webhooks yet.')).toBeVisible();
    const url = `http://127.0.0.1:${hookPort}/hook`;
    await panel.getByLabel('Address').fill(url);
    await panel.getByLabel('Address').press('Enter');
    await expect(A.page.getByTestId('webhook-said')).toContainText('shown only once');
    const secret = await A.page.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expect(panel.getByTestId('webhook')).toContainText('Nothing sent yet');

    // A coordinator sees no such panel.
    await toPeople(B.page);
    await expect(B.page.getByTestId('people-list')).toBeVisible();
    await expect(B.page.getByTestId('webhooks-panel')).toHaveCount(0);

    // Alice rings bob and hangs up.
    await openChannel(A.page, 'Bob Okafor');
    await A.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(B.page.getByRole('alertdialog')).toBeVisible();
    await A.page.getByTestId('call-panel').getByRole('button', { name: /Cancel|End call|Hang up/ }).first().click();
    await expect.poll(() => hook.posts.map((p) => p.event)).toEqual(['call.ringing', 'call.ended']);
    for (const post of hook.posts) {
      expect(verify(secret, post.signature, post.body), `${post.event} verifies`).toBe(true);
      expect(verify(secret, post.signature, post.body.replace('"alice"', '"mallory"')), 'an altered body fails').toBe(false);
      expect(verify(secret, post.signature, post.body + ' ')).toBe(false);
      expect(verify(`${secret}x`, post.signature, post.body), 'another secret fails').toBe(false);
      const parsed = JSON.parse(post.body);
      expect(parsed.type).toBe(post.event);
      expect(parsed.data.call.initiator.username).toBe('alice');
    }

    await toPeople(A.page);
    await panel.getByText('Webhooks', { exact: true }).click();
    await expect(panel.getByTestId('webhook')).toContainText('Last: call.ended delivered, 204');
    await expect(panel.getByTestId('webhook')).toHaveAttribute('data-healthy', 'true');
    await panel.getByRole('button', { name: `Remove webhook ${url}` }).click();
    await expect(A.page.getByTestId('webhook-said')).toHaveText(`${url} removed.`);
    await expect(panel.getByText('No webhooks yet.')).toBeVisible();
  } finally {
    await A.context.close();
    await B.context.close();
    await hook.close();
  }
});
