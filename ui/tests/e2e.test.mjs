// End-to-end tests of the web UI in headless Chromium (Debian's `chromium`,
// driven by playwright-core), against a real `aima serve` with real models.
// Started by crates/aima/tests/api/webui.rs, which makes the server, the
// media and the activity, and passes them in the environment:
//   AIMA_URL          the server (anonymous access on)
//   AIMA_LOCKED_URL   a second server that needs a key; AIMA_LOCKED_KEY its key
//   AIMA_VIDEO        a talk (speech, a title) to upload through the page
//   AIMA_FACE_MEDIA   the id of an analysed photo with one face
//   AIMA_DAY          the day (YYYY-MM-DD, UTC) the activity was recorded on
//   AIMA_SHOTS        where screenshots go (kept by the run, not committed)
// The browser runs in UTC, like the activity's day.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through crates/aima/tests/api/webui.rs`);
  return v;
};
const BASE = env('AIMA_URL');
const SHOTS = env('AIMA_SHOTS');
mkdirSync(SHOTS, { recursive: true });
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// Long work (a transcription on 2 cores) gets minutes, not a fixed guess.
const LONG = 300_000;

let browser;
let page;
const errors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
});

/** A browser context whose every page, now or later, has its script errors
 * and console errors collected (checked by the last test). */
async function newContext(options) {
  const context = await browser.newContext(options);
  const tag = options.viewport ? `${options.viewport.width}px` : 'context';
  context.on('page', (p) => {
    p.on('pageerror', (e) => errors.push(`page error (${tag}, ${p.url()}): ${e.message}`));
    p.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(`console (${tag}, ${p.url()}): ${m.text()}`));
  });
  return context;
}

after(async () => {
  await browser?.close();
});

async function shot(name, p = page) {
  await p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** axe-core on the page as it is: no serious or critical violation. */
async function accessible(name, p = page) {
  await p.addScriptTag({ path: AXE });
  const result = await p.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
    [],
    `accessibility of ${name}`,
  );
}

const currentTime = () => page.evaluate(() => document.querySelector('video').currentTime);

describe('the web UI', { concurrency: false }, () => {
  let mediaUrl;

  test('an upload through the page is followed to the end of its analysis', async () => {
    await page.goto(BASE + '/');
    await page.getByRole('heading', { name: 'Media' }).waitFor();
    await page.locator('#files').setInputFiles(env('AIMA_VIDEO'));
    const row = page.locator('.upload[data-name="talk.mp4"]');
    await row.locator('progress').first().waitFor();
    // The job's progress arrives over SSE until it ends; the row keeps its
    // height while it does (no layout shift as progress updates).
    await row.locator('.job').waitFor({ timeout: LONG });
    const heights = new Set();
    while (!(await row.locator('.job[data-state="succeeded"]').count())) {
      heights.add(Math.round((await row.boundingBox()).height));
      await page.waitForTimeout(100);
    }
    heights.add(Math.round((await row.boundingBox()).height));
    assert.equal(heights.size, 1, `the upload row changed height: ${[...heights]}`);
    await page.locator('.media-card', { hasText: 'talk.mp4' }).locator('.badge.state-succeeded').waitFor();
    await page.locator('.media-card', { hasText: 'talk.mp4' }).locator('img').evaluate((img) => img.decode());
    await shot('library');
    await row.getByRole('link', { name: 'Open' }).click();
    await page.waitForURL(/\/media\//);
    mediaUrl = page.url();
  });

  test('the media page shows the transcript, and a click on a later segment seeks the player there', async () => {
    await page.goto(mediaUrl);
    // The keyboard's first stop is the skip link.
    await page.locator('.segment').first().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    const segments = page.locator('.segment');
    await segments.nth(1).waitFor();
    const count = await segments.count();
    assert.ok(count >= 2, `a talk of several sentences has several segments, got ${count}`);
    const text = (await page.locator('.transcript').innerText()).toLowerCase();
    assert.match(text, /budget/);
    await page.waitForFunction(() => document.querySelector('video').readyState >= 1);
    const last = segments.nth(count - 1);
    const start = Number(await last.getAttribute('data-start'));
    assert.ok(start > 1, 'the last segment starts later than the first');
    await last.locator('button.time').click();
    await page.waitForFunction((t) => Math.abs(document.querySelector('video').currentTime - t) < 0.3, start);
    // The transcript follows: the clicked segment is the current one.
    await page.waitForFunction((t) => document.querySelector('.segment[aria-current="true"]')?.getAttribute('data-start') === String(t), start, { timeout: 5000 }).catch(async (e) => {
      const state = await page.evaluate(() => ({
        time: document.querySelector('video').currentTime,
        paused: document.querySelector('video').paused,
        current: document.querySelector('.segment[aria-current="true"]')?.getAttribute('data-start'),
        starts: [...document.querySelectorAll('.segment')].map((s) => s.getAttribute('data-start')),
      }));
      throw new Error(`${e.message}: ${JSON.stringify(state)}`);
    });
    // A word of the transcript is activated with the keyboard too.
    const spoken = segments.nth(2).locator('.word').first();
    await spoken.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => Math.abs(document.querySelector('video').currentTime - t) < 0.05, Number(await spoken.getAttribute('data-start')));
    // A word seeks to the word.
    const word = segments.nth(1).locator('.word').nth(1);
    await word.click();
    const wordStart = Number(await word.getAttribute('data-start'));
    await page.waitForFunction((want) => Math.abs(document.querySelector('video').currentTime - want) < 0.05, wordStart);
    assert.ok(wordStart >= Number(await segments.nth(1).getAttribute('data-start')) - 0.01 && wordStart < start, `a word of the second segment, at ${wordStart}`);
    // The timeline has the tracks of what was found, and a mark seeks too.
    for (const track of ['Transcript', 'Text', 'Keyframes']) {
      await page.locator(`.track[data-track="${track}"] .mark`).first().waitFor();
    }
    await page.locator('.track[data-track="Text"] .mark').first().click();
    assert.ok((await currentTime()) < 0.5, 'the title is shown from the start');
    // The OCR line is drawn over the frame while it is shown.
    await page.locator('.overlay .box.kind-text').first().waitFor();
    // Exports are links to the API's formats.
    const srt = await page.getByRole('link', { name: 'SRT' }).getAttribute('href');
    const res = await page.request.get(BASE + srt);
    assert.equal(res.status(), 200);
    assert.match(await res.text(), /-->/);
    await shot('media');
    await accessible('the media page');
  });

  test('a review is kept', async () => {
    await page.goto(mediaUrl);
    const row = page.locator('table.insights tbody tr').filter({ hasText: 'Budget approved for April' }).first();
    await row.getByRole('button', { name: 'Reject' }).click();
    await row.getByRole('button', { name: 'Reject', pressed: true }).waitFor();
    await page.reload();
    await page.locator('table.insights tbody tr.review-rejected').filter({ hasText: 'Budget approved for April' }).first().waitFor();
    await page.locator('table.insights tbody tr').filter({ hasText: 'Budget approved for April' }).first().getByRole('button', { name: 'Reject' }).click();
    await page.locator('table.insights tbody tr.review-rejected').waitFor({ state: 'detached' });
  });

  test('a media is analysed again with chosen analyzers', async () => {
    await page.goto(mediaUrl);
    await page.getByText('Analyse again').click();
    await page.getByRole('checkbox', { name: 'keyframes' }).check();
    await page.getByRole('button', { name: 'Analyse', exact: true }).click();
    const job = page.locator('.player-col > .job');
    await page.waitForFunction(() => document.querySelector('.player-col > .job .stages')?.textContent === 'keyframes');
    await job.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: LONG });
    await page.locator('.track[data-track="Keyframes"] .mark').first().waitFor();
  });

  test('a spoken word is found, and its hit opens the media at that second', async () => {
    await page.goto(BASE + '/search');
    await page.getByRole('searchbox').fill('Berlin');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.locator('.hit-link').first();
    await hit.waitFor();
    assert.equal((await hit.locator('mark').first().innerText()).toLowerCase(), 'berlin');
    await shot('search');
    await accessible('search');
    const href = await hit.getAttribute('href');
    const t = Number(new URL(href, BASE).searchParams.get('t'));
    assert.ok(t > 1, `Berlin is said after the first sentence, at ${t}`);
    await hit.click();
    await page.waitForURL(/\/media\/.*\?t=/);
    await page.waitForFunction((want) => { const v = document.querySelector('video'); return v && Math.abs(v.currentTime - want) < 0.3; }, t);
  });

  test('a person is named in the gallery, and the name shows on the media page', async () => {
    await page.goto(BASE + '/persons');
    const card = page.locator('.person').first();
    await card.waitFor();
    const name = card.getByRole('textbox', { name: 'Name' });
    await name.fill('Eileen Collins');
    const saved = page.waitForResponse((r) => r.url().includes('/api/v1/persons/') && r.request().method() === 'PATCH');
    await name.press('Enter');
    assert.equal((await saved).status(), 200);
    await shot('persons');
    await accessible('persons');
    await page.goto(`${BASE}/media/${env('AIMA_FACE_MEDIA')}`);
    await page.locator('.person-name', { hasText: 'Eileen Collins' }).waitFor();
    // The face's box carries the name too.
    await page.locator('.overlay .box.kind-face', { hasText: 'Eileen Collins' }).waitFor();
    await page.locator('.person-name').click();
    await page.waitForURL(/\/persons\//);
    await page.getByRole('heading', { name: 'Eileen Collins' }).waitFor();
  });

  test('two persons are merged into one, and a face is split out again', async () => {
    await page.goto(BASE + '/persons');
    const cards = page.locator('.person');
    await cards.nth(1).waitFor();
    assert.equal(await cards.count(), 2, 'the astronaut and the cameraman');
    for (const i of [0, 1]) await cards.nth(i).getByRole('checkbox', { name: 'Select' }).check();
    await page.getByRole('button', { name: /Merge 2 selected/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('.person').length === 1);
    assert.match(await cards.first().innerText(), /2 faces in 2 media/);
    await cards.first().getByRole('link').click();
    await page.waitForURL(/\/persons\/.+/);
    const merged = page.url();
    await page.locator('ul.faces li').nth(1).waitFor();
    await page.locator('ul.faces li').nth(1).getByRole('checkbox').check();
    await page.getByRole('button', { name: /Split 1 selected/ }).click();
    await page.waitForURL((u) => u.href !== merged && /\/persons\/.+/.test(u.pathname));
    await page.locator('ul.faces li').first().waitFor();
    assert.equal(await page.locator('ul.faces li').count(), 1);
    await page.goto(BASE + '/persons');
    await page.waitForFunction(() => document.querySelectorAll('.person').length === 2);
    await accessible('a person');
  });

  test('a time range selected on the day is labelled, and modes are trained on it', async () => {
    const day = env('AIMA_DAY');
    await page.goto(`${BASE}/activity?day=${day}`);
    await page.locator('table.summary tr[data-key="work"]').waitFor();
    // The bars add up to the 200 recorded minutes.
    const total = Number(await page.locator('.chart').first().getAttribute('data-total'));
    assert.ok(Math.abs(total - 200 / 60) < 0.01, `the hourly bars hold ${total} h`);
    // The meetings ran 09:40 to 11:20 (UTC): select 09:50 to 11:10.
    const bar = await page.getByTestId('daybar').boundingBox();
    const x = (h) => bar.x + (h / 24) * bar.width;
    await page.mouse.move(x(9 + 50 / 60), bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(10.5), bar.y + bar.height / 2, { steps: 5 });
    await page.mouse.move(x(11 + 10 / 60), bar.y + bar.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.locator('#label-mode').selectOption('meeting');
    await page.getByRole('button', { name: 'Label selection' }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    const labelled = Number((/Labelled (\d+) events as meeting/.exec(await status.innerText()) ?? [])[1]);
    assert.ok(labelled >= 70 && labelled <= 90, `about 80 one-minute meeting events in 80 minutes, got ${labelled}`);
    await page.locator('table.summary tr[data-key="meeting"]').waitFor();
    await page.getByRole('button', { name: 'Train' }).click();
    await page.locator('.job[data-state="succeeded"]').waitFor({ timeout: LONG });
    const model = page.locator('article.model').first();
    await model.waitFor();
    assert.match(await model.innerText(), /accuracy \d/);
    await model.locator('table.confusion').waitFor();
    // A second training makes version 2 the active one; version 1 can be activated again.
    await page.getByRole('button', { name: 'Train' }).click();
    await page.locator('article.model[data-version="2"]').waitFor({ timeout: LONG });
    await page.locator('article.model[data-version="2"] .badge', { hasText: 'active' }).waitFor();
    await page.getByRole('button', { name: 'Activate version 1' }).click();
    await page.locator('article.model[data-version="1"] .badge', { hasText: 'active' }).waitFor();
    assert.equal(await page.locator('article.model[data-version="2"] .badge', { hasText: 'active' }).count(), 0);
    await shot('activity');
    await accessible('activity');
  });

  test('an answer cites its sources, and a citation opens the media at that second', async () => {
    await page.goto(BASE + '/ask');
    await page.getByLabel('Question').fill('Where does the speaker mention Berlin?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const cite = page.locator('.answer-text a.cite').first();
    await cite.waitFor({ timeout: 60_000 });
    await shot('ask');
    await accessible('ask');
    const href = await cite.getAttribute('href');
    assert.match(href, /^\/media\/.+\?t=/);
    const t = Number(new URL(href, BASE).searchParams.get('t'));
    await cite.click();
    await page.waitForFunction((want) => { const v = document.querySelector('video'); return v && Math.abs(v.currentTime - want) < 0.3; }, t);
    // An activity citation opens the activity view of its day.
    await page.goto(BASE + '/ask');
    await page.getByLabel('Question').fill(`How much time did I spend in meetings on ${env('AIMA_DAY')}?`);
    await page.getByRole('button', { name: 'Ask' }).click();
    const activity = page.locator('.answer-text a.cite').first();
    await activity.waitFor({ timeout: 60_000 });
    await activity.click();
    await page.waitForURL(new RegExp(`/activity\\?day=${env('AIMA_DAY')}`));
  });

  test('admin shows jobs, workers and models', async () => {
    await page.goto(BASE + '/admin');
    await page.locator('tr[data-job] .badge.state-succeeded').first().waitFor();
    await page.locator('tr[data-model="faster-whisper-tiny.en"]', { hasText: 'installed' }).waitFor();
    await shot('admin');
    await accessible('admin');
  });

  test('the library lists, filters and deletes with confirmation', async () => {
    await page.goto(BASE + '/');
    const cards = page.locator('.media-card');
    await cards.nth(1).waitFor();
    await page.locator('#library-kind').selectOption('image');
    // Only the two photos are left.
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('.media-card')];
      return cards.length === 2 && cards.every((c) => c.querySelector('.meta span').textContent === 'image');
    });
    await page.locator('#library-kind').selectOption('');
    await cards.nth(1).waitFor();
    await accessible('the library');
    const talk = page.locator('.media-card', { hasText: 'talk.mp4' });
    page.once('dialog', (d) => d.dismiss());
    await talk.getByRole('button', { name: /Delete/ }).click();
    assert.equal(await talk.count(), 1, 'dismissed: nothing deleted');
    page.once('dialog', (d) => d.accept());
    await talk.getByRole('button', { name: /Delete/ }).click();
    await talk.waitFor({ state: 'detached' });
    const gone = await page.request.get(BASE + new URL(mediaUrl).pathname.replace('/media/', '/api/v1/media/'));
    assert.equal(gone.status(), 404);
  });

  test('deep links work on reload, and the dark theme applies', async () => {
    await page.goto(`${BASE}/persons`);
    await page.reload();
    await page.getByRole('heading', { name: 'Persons' }).waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(17, 24, 39)');
    await shot('persons-dark');
    await accessible('persons, dark');
    await page.getByLabel('Theme').selectOption('system');
  });

  test('on a phone-sized screen nothing is wider than the screen', async () => {
    const phone = await newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'UTC', isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    for (const path of ['/', `/media/${env('AIMA_FACE_MEDIA')}`, '/search?q=budget', `/activity?day=${env('AIMA_DAY')}`, '/ask', '/admin']) {
      await p.goto(BASE + path);
      await p.locator('h1').first().waitFor();
      await p.waitForLoadState('networkidle');
      // Against the phone's width, not innerWidth: a mobile browser widens its
      // layout viewport to fit content that overflows, so that never differs.
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - 390);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
    }
    await p.goto(`${BASE}/media/${env('AIMA_FACE_MEDIA')}`);
    // The page as loaded, not its "Loading…".
    await p.locator('h1').first().waitFor();
    await p.waitForLoadState('networkidle');
    await shot('phone-media', p);
    await phone.close();
  });

  test('a server that needs a key shows a sign-in page, and the session then plays media', async () => {
    const base = env('AIMA_LOCKED_URL');
    const ctx = await newContext({ timezoneId: 'UTC' });
    const p = await ctx.newPage();
    await p.goto(base + '/');
    await p.getByLabel('API key').fill('aima_not-a-key');
    await p.getByRole('button', { name: 'Sign in with key' }).click();
    await p.getByRole('alert').waitFor();
    await accessible('sign-in', p);
    await shot('sign-in', p);
    await p.getByLabel('API key').fill(env('AIMA_LOCKED_KEY'));
    await p.getByRole('button', { name: 'Sign in with key' }).click();
    await p.getByRole('heading', { name: 'Media' }).waitFor();
    // The cookie is HttpOnly: the page's script cannot read the key.
    assert.equal(await p.evaluate(() => document.cookie), '');
    await p.locator('#files').setInputFiles(env('AIMA_VIDEO'));
    await p.locator('.upload[data-name="talk.mp4"] a', { hasText: 'Open' }).click();
    await p.waitForFunction(() => { const v = document.querySelector('video'); return v && v.readyState >= 1 && v.duration > 1; });
    // An admin sees the team and the audit log, where the upload is recorded.
    await p.goto(base + '/admin');
    await p.getByRole('button', { name: `Disable ${env('AIMA_LOCKED_VIEWER')}` }).waitFor();
    await p.locator('section[aria-labelledby="audit-title"] td', { hasText: 'uploadMedia' }).first().waitFor();
    await accessible('team', p);
    await shot('team', p);
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByLabel('API key').waitFor();
    await ctx.close();
  });

  test('a viewer signs in with a password, reads, and is shown no control that writes', async () => {
    const base = env('AIMA_LOCKED_URL');
    const ctx = await newContext({ timezoneId: 'UTC' });
    const p = await ctx.newPage();
    await p.goto(base + '/');
    await p.getByLabel('Name').fill(env('AIMA_LOCKED_VIEWER'));
    await p.getByLabel('Password').fill('not the password');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('alert').filter({ hasText: 'wrong name or password' }).waitFor();
    await p.getByLabel('Password').fill(env('AIMA_LOCKED_PASSWORD'));
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('heading', { name: 'Media' }).waitFor();
    await p.getByText(`${env('AIMA_LOCKED_VIEWER')} · default · viewer`).waitFor();
    // The media the key's session uploaded is there to read...
    await p.locator('.grid li').first().waitFor();
    // ...but no upload and no delete.
    assert.equal(await p.locator('#files').isVisible(), false);
    assert.equal(await p.getByRole('button', { name: /^Delete/ }).count(), 0);
    await p.locator('.grid li a').first().click();
    await p.waitForFunction(() => { const v = document.querySelector('video'); return v && v.readyState >= 1; });
    // The media has insights (its transcript, listed in the table), whose
    // review buttons an editor would see: a viewer sees none of them, and
    // no "Analyse again".
    for (const until = Date.now() + LONG; !(await p.locator('.segment').count()); ) {
      assert.ok(Date.now() < until, 'the uploaded talk was never transcribed');
      await p.waitForTimeout(2000);
      await p.reload();
    }
    await p.locator('table.insights tbody tr').first().waitFor();
    assert.equal(await p.getByRole('button', { name: 'Confirm' }).count(), 0);
    assert.equal(await p.getByRole('button', { name: 'Reject' }).count(), 0);
    assert.equal(await p.getByText('Analyse again').isVisible(), false);
    await accessible('viewer', p);
    await shot('viewer', p);
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByLabel('Name').waitFor();
    await ctx.close();
  });

  test('no page raised an error', () => {
    assert.deepEqual(errors, []);
  });
});
