import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless','--disable-gpu'] });
for (let i = 0; i < 6; i++) {
  const ctx = await b.newContext();
  const p = await ctx.newPage();
  const logs = [];
  p.on('console', m => logs.push('console ' + m.type() + ' ' + m.text().slice(0, 400)));
  p.on('pageerror', e => logs.push('pageerror ' + String(e).slice(0, 400)));
  await p.goto('http://127.0.0.1:3917/signin');
  await p.waitForSelector('body[data-hydrated]');
  await p.fill('#username', 'alice'); await p.fill('#password', 'demo-password');
  await p.click('button[type=submit]');
  await p.waitForURL('http://127.0.0.1:3917/');
  try { await p.waitForSelector('body[data-hydrated]', { timeout: 8000 }); console.log(i, 'ok'); }
  catch { console.log(i, 'NOT HYDRATED', logs.join('\n')); console.log((await p.content()).slice(0, 3000)); }
  await ctx.close();
}
await b.close();
