// Opens AIMA's web UI in headless Chromium (Debian's, driven by
// playwright-core, as the end-to-end tests do) and waits for the media
// library to render: proves on a fresh machine that the browser, the
// driver and the UI built into the binary work. Usage: node smoke.mjs URL
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.getByRole('heading', { name: 'Media' }).waitFor({ timeout: 30_000 });
  if (errors.length) throw new Error(`the page raised: ${errors.join('; ')}`);
  console.log(`the web UI renders at ${url}`);
} finally {
  await browser.close();
}
