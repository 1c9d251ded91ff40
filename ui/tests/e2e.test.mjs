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
//   AIMA_UI_LANG      the browser's language, `en` or `de`: the suite runs
//                     once in each (the talk is spoken in that language)
//   AIMA_SLIDE        the title shown on the talk's slide
// The browser runs in UTC, like the activity's day. Every string the tests
// look for comes from the UI's own translations (src/locales), in the
// browser's language.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import i18next from 'i18next';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through crates/aima/tests/api/webui.rs`);
  return v;
};
const BASE = env('AIMA_URL');
const SHOTS = env('AIMA_SHOTS');
mkdirSync(SHOTS, { recursive: true });
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const LANG = env('AIMA_UI_LANG');
const LOCALE = { en: 'en-GB', de: 'de-DE' }[LANG];
if (!LOCALE) throw new Error(`AIMA_UI_LANG is ${LANG}: en or de`);
const SLIDE = env('AIMA_SLIDE');

/** The UI's strings of one language, as src/i18n.ts assembles them. */
function strings(lang) {
  const dir = new URL(`../src/locales/${lang}/`, import.meta.url);
  return Object.fromEntries(readdirSync(dir).map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(f, dir), 'utf8'))]));
}
const i18n = i18next.createInstance();
await i18n.init({
  lng: LANG,
  resources: { en: { translation: strings('en') }, de: { translation: strings('de') } },
  interpolation: { escapeValue: false },
  initAsync: false,
});
/** A string of the UI in the browser's language. */
const T = (key, options) => {
  assert.ok(i18n.exists(key, options), `no UI string ${key}`);
  return i18n.t(key, options);
};
/** An exact match of a UI string, for locators that take a regular expression. */
const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
/** What the user asks, in the browser's language (the talk is in it too). */
const QUESTIONS = {
  en: { media: 'Where does the speaker mention Berlin?', activity: (day) => `How much time did I spend in meetings on ${day}?` },
  de: { media: 'Wo erwähnt der Sprecher Berlin?', activity: (day) => `Wie viel Zeit habe ich am ${day} in Besprechungen verbracht?` },
}[LANG];

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
  const context = await newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: LOCALE });
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

/** English strings of the UI that German does not share: none may show on a German page. */
const ENGLISH_ONLY = (() => {
  const flat = (o) => Object.values(o).flatMap((v) => (typeof v === 'object' ? flat(v) : [v]));
  const de = new Set(flat(strings('de')));
  return new Set(flat(strings('en')).filter((s) => !de.has(s) && !/\{\{/.test(s) && /\p{L}{3}/u.test(s)));
})();

/** axe-core on the page as it is: no serious or critical violation; and in
 * German, no English string of the UI on it (outside what users wrote or said). */
async function accessible(name, p = page) {
  if (LANG !== 'en') {
    const shown = await p.evaluate(() => {
      // What users wrote or said, and identifiers (marked translate="no").
      const own = '.transcript, .hit-text, .answer-text, .question, .title, .name, code, input, textarea, [translate="no"], body [lang]';
      const texts = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.parentElement.closest(own) && n.textContent.trim()) texts.push(n.textContent.trim());
      }
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (el.closest(own.replace(', input, textarea', ''))) continue;
        for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) texts.push(el.getAttribute(a).trim());
      }
      return texts;
    });
    assert.deepEqual([...new Set(shown.filter((s) => ENGLISH_ONLY.has(s)))], [], `English on the German page ${name}`);
    assert.equal(await p.evaluate(() => document.documentElement.lang), LANG);
  }
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
    await page.getByRole('heading', { name: T('library.title') }).waitFor();
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
    await row.getByRole('link', { name: T('library.open') }).click();
    await page.waitForURL(/\/media\//);
    mediaUrl = page.url();
  });

  test('the media page shows the transcript, and a click on a later segment seeks the player there', async () => {
    await page.goto(mediaUrl);
    // The keyboard's first stop is the skip link.
    await page.locator('.segment').first().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), T('common.skip'));
    const segments = page.locator('.segment');
    await segments.nth(1).waitFor();
    const count = await segments.count();
    assert.ok(count >= 2, `a talk of several sentences has several segments, got ${count}`);
    const text = (await page.locator('.transcript').innerText()).toLowerCase();
    // A word espeak-ng says clearly enough for Whisper base in each language.
    assert.match(text, { en: /budget/, de: /vorstand/ }[LANG]);
    // The language heard, named in the page's language ("German" / "Deutsch").
    const heard = page.locator(`.languages [data-language="${LANG}"]`);
    assert.ok((await heard.innerText()).includes(new Intl.DisplayNames([LANG], { type: "language" }).of(LANG)), await heard.innerText());
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
    const row = page.locator('table.insights tbody tr').filter({ hasText: SLIDE }).first();
    await row.getByRole('button', { name: T('media.insights.reject') }).click();
    await row.getByRole('button', { name: T('media.insights.reject'), pressed: true }).waitFor();
    await page.reload();
    await page.locator('table.insights tbody tr.review-rejected').filter({ hasText: SLIDE }).first().waitFor();
    await page.locator('table.insights tbody tr').filter({ hasText: SLIDE }).first().getByRole('button', { name: T('media.insights.reject') }).click();
    await page.locator('table.insights tbody tr.review-rejected').waitFor({ state: 'detached' });
  });

  test('a media is analysed again with chosen analyzers', async () => {
    await page.goto(mediaUrl);
    await page.getByText(T('media.reanalyse.title')).click();
    await page.getByRole('checkbox', { name: 'keyframes' }).check();
    await page.getByRole('button', { name: T('media.reanalyse.run'), exact: true }).click();
    const job = page.locator('.player-col > .job');
    await page.waitForFunction(() => document.querySelector('.player-col > .job .stages')?.textContent === 'keyframes');
    await job.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: LONG });
    await page.locator('.track[data-track="Keyframes"] .mark').first().waitFor();
  });

  test('a stage whose model is missing fails alone, says why, and is run again', async () => {
    // The object model is not installed on the test server: that stage
    // fails alone, the keyframes are made, and the job ends partial.
    await page.goto(mediaUrl);
    await page.getByText(T('media.reanalyse.title')).click();
    for (const name of ['keyframes', 'objects']) await page.getByRole('checkbox', { name }).check();
    await page.getByRole('button', { name: T('media.reanalyse.run'), exact: true }).click();
    const job = page.locator('.player-col > .job');
    await job.and(page.locator('[data-state="partial"]')).waitFor({ timeout: LONG });
    assert.equal(await job.locator('.badge').innerText(), T('common.state.partial'));
    await job.locator('.stage.state-done[data-stage="keyframes"]').waitFor();
    const why = job.locator('.failed-stages [data-stage="objects"]');
    assert.equal(await why.innerText(), T('common.job.failedStage', { name: 'objects', error: T('common.errors.model_missing') }));
    // The server's own words, with the command that installs the model, on hover.
    assert.match(await why.getAttribute('title'), /aima models pull objects-dfine-n/);
    await shot('partial-job');
    await accessible('a partial job');
    // Retried: only the failed stage runs again (and fails again here).
    const retried = page.waitForResponse((r) => /\/api\/v1\/jobs\/[^/]+\/retry$/.test(r.url()));
    await job.getByRole('button', { name: T('common.job.retry') }).click();
    const answer = await retried;
    assert.equal(answer.status(), 202);
    const body = await answer.json();
    assert.deepEqual(body.stages.map((s) => [s.name, s.state]), [['keyframes', 'done'], ['objects', 'pending']]);
    for (const until = Date.now() + LONG; ; await page.waitForTimeout(200)) {
      const now = await (await page.request.get(`${BASE}/api/v1/jobs/${body.id}`)).json();
      if (now.state === 'partial') break;
      assert.ok(Date.now() < until && ['queued', 'running'].includes(now.state), JSON.stringify(now));
    }
    await job.and(page.locator('[data-state="partial"]')).waitFor({ timeout: LONG });
  });

  test('a spoken word is found, and its hit opens the media at that second', async () => {
    await page.goto(BASE + '/search');
    await page.getByRole('searchbox').fill('Berlin');
    await page.getByRole('button', { name: T('search.submit'), exact: true }).click();
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
    const name = card.getByRole('textbox', { name: T('persons.name') });
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
    for (const i of [0, 1]) await cards.nth(i).getByRole('checkbox', { name: T('persons.select') }).check();
    await page.getByRole('button', { name: T('persons.merge', { count: 2 }) }).click();
    await page.waitForFunction(() => document.querySelectorAll('.person').length === 1);
    assert.ok((await cards.first().innerText()).includes(T('persons.counts', { faces: T('persons.faceCount', { count: 2 }), media: T('persons.mediaCount', { count: 2 }) })));
    await cards.first().getByRole('link').click();
    await page.waitForURL(/\/persons\/.+/);
    const merged = page.url();
    await page.locator('ul.faces li').nth(1).waitFor();
    await page.locator('ul.faces li').nth(1).getByRole('checkbox').check();
    await page.getByRole('button', { name: T('persons.split', { count: 1 }) }).click();
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
    await page.getByRole('button', { name: T('activity.labelSelection') }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    const said = await status.innerText();
    const labelled = Number(/\d+/.exec(said)?.[0]);
    assert.equal(said, T('activity.labelled', { count: labelled, mode: 'meeting' }));
    assert.ok(labelled >= 70 && labelled <= 90, `about 80 one-minute meeting events in 80 minutes, got ${labelled}`);
    await page.locator('table.summary tr[data-key="meeting"]').waitFor();
    await page.getByRole('button', { name: T('activity.modes.train') }).click();
    await page.locator('.job[data-state="succeeded"]').waitFor({ timeout: LONG });
    const model = page.locator('article.model').first();
    await model.waitFor();
    const [before] = T('activity.models.accuracy', { value: '§' }).split('§');
    assert.ok((await model.innerText()).includes(before.trim()), await model.innerText());
    await model.locator('table.confusion').waitFor();
    // A second training makes version 2 the active one; version 1 can be activated again.
    await page.getByRole('button', { name: T('activity.modes.train') }).click();
    await page.locator('article.model[data-version="2"]').waitFor({ timeout: LONG });
    const active = { hasText: exactly(T('activity.models.active')) };
    await page.locator('article.model[data-version="2"] .badge', active).waitFor();
    await page.getByRole('button', { name: T('activity.models.activate', { version: 1 }) }).click();
    await page.locator('article.model[data-version="1"] .badge', active).waitFor();
    assert.equal(await page.locator('article.model[data-version="2"] .badge', active).count(), 0);
    await shot('activity');
    await accessible('activity');
  });

  test('an answer cites its sources, and a citation opens the media at that second', async () => {
    await page.goto(BASE + '/ask');
    await page.getByLabel(T('ask.question')).fill(QUESTIONS.media);
    await page.getByRole('button', { name: T('ask.submit') }).click();
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
    await page.getByLabel(T('ask.question')).fill(QUESTIONS.activity(env('AIMA_DAY')));
    await page.getByRole('button', { name: T('ask.submit') }).click();
    const activity = page.locator('.answer-text a.cite').first();
    await activity.waitFor({ timeout: 60_000 });
    await activity.click();
    await page.waitForURL(new RegExp(`/activity\\?day=${env('AIMA_DAY')}`));
  });

  test('admin shows jobs, workers and models', async () => {
    await page.goto(BASE + '/admin');
    await page.locator('tr[data-job] .badge.state-succeeded').first().waitFor();
    await page.locator('tr[data-model="faster-whisper-tiny.en"]', { hasText: T('admin.models.state.installed') }).waitFor();
    // The month's spending: its budget spent by the suite's analyses (the
    // server prices CPU time), said in a banner, with the cost per workspace
    // and the CSV for accounting.
    const banner = page.locator('.budget-banner.spent[role="alert"]');
    await banner.waitFor();
    assert.equal((await banner.textContent()).trim(), T('admin.spending.spent'));
    const spending = page.locator('.spending');
    await spending.locator('td', { hasText: 'default' }).waitFor();
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), await spending.getByRole('link', { name: T('admin.spending.download') }).getAttribute('href'));
    assert.match(csv.split('\n')[1], /^\d{4}-\d{2},default,cpu,/, csv);
    await shot('admin');
    await accessible('admin');
  });

  test('the upload page names the analyses that cannot run, and an admin pulls their models there', async () => {
    // Another server, whose default analysis has objects and CLIP without
    // their models (CLIP's stand-in can be pulled; the object model's only
    // source is gone).
    const base = env('AIMA_MISSING_URL');
    await page.goto(base + '/');
    const notice = page.locator('.missing-models');
    await notice.waitFor();
    for (const [name, model] of [['objects', 'objects-dfine-n'], ['clip', 'clip-vit-b32']]) {
      const row = notice.locator(`[data-analyzer="${name}"]`);
      const text = (await row.textContent()).replace(/\s+/g, ' ');
      assert.ok(text.startsWith(`${name}: ${T('common.missing.notInstalled')} ${model}`), text);
      await row.locator(`[data-model="${model}"]`).getByRole('button', { name: T('common.missing.pullNamed', { name: model }), exact: true }).waitFor();
    }
    // Keyframes have their models: not named.
    assert.equal(await notice.locator('[data-analyzer]').count(), 2);
    await accessible('missing models');
    await shot('missing-models');
    // The pull that works: CLIP leaves the list once its model is installed.
    await notice.locator('[data-model="clip-vit-b32"]').getByRole('button').click();
    await notice.locator('[data-analyzer="clip"]').waitFor({ state: 'detached', timeout: LONG });
    // The pull that fails says so, and the analyzer stays named.
    await notice.locator('[data-model="objects-dfine-n"]').getByRole('button').click();
    const failed = notice.locator('[data-model="objects-dfine-n"] [role="alert"]');
    await failed.waitFor({ timeout: LONG });
    const prefix = T('common.missing.failed', { error: '' });
    const said = await failed.innerText();
    assert.ok(said.startsWith(prefix) && said.length > prefix.length + 5, said);
    assert.equal(await notice.locator('[data-analyzer]').count(), 1);
    // After a reload the failure is still said (from the server's record).
    await page.reload();
    await notice.locator('[data-model="objects-dfine-n"] [role="alert"]').waitFor();
    assert.equal(await notice.locator('[data-model="objects-dfine-n"] [role="alert"]').innerText(), said);
    // On the models list of the admin page too.
    const models = await (await page.request.get(`${base}/api/v1/models`)).json();
    assert.equal(models.items.find((m) => m.name === 'clip-vit-b32').state, 'installed');
    assert.equal(models.items.find((m) => m.name === 'objects-dfine-n').pull.state, 'failed');
  });

  test('the library lists, filters and deletes with confirmation', async () => {
    await page.goto(BASE + '/');
    const cards = page.locator('.media-card');
    await cards.nth(1).waitFor();
    await page.locator('#library-kind').selectOption('image');
    // Only the two photos are left.
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('.media-card')];
      return cards.length === 2 && cards.every((c) => c.querySelector('.meta [data-kind]').dataset.kind === 'image');
    });
    assert.equal(await cards.first().locator('.meta [data-kind]').innerText(), T('common.kind.image'));
    await page.locator('#library-kind').selectOption('');
    await cards.nth(1).waitFor();
    await accessible('the library');
    const talk = page.locator('.media-card', { hasText: 'talk.mp4' });
    page.once('dialog', (d) => d.dismiss());
    await talk.getByRole('button', { name: T('library.deleteNamed', { name: 'talk.mp4' }) }).click();
    assert.equal(await talk.count(), 1, 'dismissed: nothing deleted');
    page.once('dialog', (d) => d.accept());
    await talk.getByRole('button', { name: T('library.deleteNamed', { name: 'talk.mp4' }) }).click();
    await talk.waitFor({ state: 'detached' });
    const gone = await page.request.get(BASE + new URL(mediaUrl).pathname.replace('/media/', '/api/v1/media/'));
    assert.equal(gone.status(), 404);
  });

  test("the UI speaks the browser's language, and a language chosen is kept", async () => {
    const other = LANG === 'en' ? 'de' : 'en';
    const ctx = await newContext({ timezoneId: 'UTC', locale: LOCALE });
    const p = await ctx.newPage();
    await p.goto(BASE + '/');
    await p.getByRole('heading', { name: T('library.title') }).waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), LANG);
    // Dates as the language writes them ("7 Dec 2026, 05:53" / "07.12.2026, 05:53").
    const when = await p.locator('.media-card time').first().innerText();
    const shape = { en: /^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2}$|^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/, de: /^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/ }[LANG];
    assert.match(when, shape);
    // The switch changes the page at once, and the choice outlives a reload.
    await p.locator('#lang').selectOption(other);
    await p.getByRole('heading', { name: i18n.t('library.title', { lng: other }) }).waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), other);
    await p.reload();
    await p.getByRole('heading', { name: i18n.t('library.title', { lng: other }) }).waitFor();
    assert.equal(await p.locator('#lang').inputValue(), other);
    // Without a choice, the browser's language again.
    await p.evaluate(() => localStorage.removeItem('aima.lang'));
    await p.reload();
    await p.getByRole('heading', { name: T('library.title') }).waitFor();
    await ctx.close();
  });

  test('deep links work on reload, and the dark theme applies', async () => {
    await page.goto(`${BASE}/persons`);
    await page.reload();
    await page.getByRole('heading', { name: T('persons.title') }).waitFor();
    await page.getByLabel(T('common.theme.label')).selectOption('dark');
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(17, 24, 39)');
    await shot('persons-dark');
    await accessible('persons, dark');
    await page.getByLabel(T('common.theme.label')).selectOption('system');
  });

  test('on a phone-sized screen nothing is wider than the screen', async () => {
    const phone = await newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'UTC', locale: LOCALE, isMobile: true, hasTouch: true });
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
    // The upload page with its notice of analyses that cannot run.
    await p.goto(env('AIMA_MISSING_URL') + '/');
    await p.locator('.missing-models [data-analyzer]').first().waitFor();
    await p.waitForLoadState('networkidle');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - 390);
    assert.ok(overflow <= 0, `the missing-models notice is ${overflow}px wider than the phone`);
    await shot('phone-missing-models', p);
    await phone.close();
  });

  test('a server that needs a key shows a sign-in page, and the session then plays media', async () => {
    const base = env('AIMA_LOCKED_URL');
    const ctx = await newContext({ timezoneId: 'UTC', locale: LOCALE });
    const p = await ctx.newPage();
    await p.goto(base + '/');
    await p.getByLabel(T('login.apiKey')).fill('aima_not-a-key');
    await p.getByRole('button', { name: T('login.signInWithKey') }).click();
    await p.getByRole('alert').waitFor();
    await accessible('sign-in', p);
    await shot('sign-in', p);
    await p.getByLabel(T('login.apiKey')).fill(env('AIMA_LOCKED_KEY'));
    await p.getByRole('button', { name: T('login.signInWithKey') }).click();
    await p.getByRole('heading', { name: T('library.title') }).waitFor();
    // The cookie is HttpOnly: the page's script cannot read the key.
    assert.equal(await p.evaluate(() => document.cookie), '');
    await p.locator('#files').setInputFiles(env('AIMA_VIDEO'));
    await p.locator('.upload[data-name="talk.mp4"] a', { hasText: T('library.open') }).click();
    await p.waitForFunction(() => { const v = document.querySelector('video'); return v && v.readyState >= 1 && v.duration > 1; });
    // An admin sees the team and the audit log, where the upload is recorded.
    await p.goto(base + '/admin');
    await p.getByRole('button', { name: T('admin.team.disable', { name: env('AIMA_LOCKED_VIEWER') }) }).waitFor();
    await p.locator('section[aria-labelledby="audit-title"] td', { hasText: 'uploadMedia' }).first().waitFor();
    await accessible('team', p);
    await shot('team', p);
    await p.getByRole('button', { name: T('common.logout') }).click();
    await p.getByLabel(T('login.apiKey')).waitFor();
    await ctx.close();
  });

  test('a viewer signs in with a password, reads, and is shown no control that writes', async () => {
    const base = env('AIMA_LOCKED_URL');
    const ctx = await newContext({ timezoneId: 'UTC', locale: LOCALE });
    const p = await ctx.newPage();
    await p.goto(base + '/');
    await p.getByLabel(T('login.name')).fill(env('AIMA_LOCKED_VIEWER'));
    await p.getByLabel(T('login.password')).fill('not the password');
    await p.getByRole('button', { name: T('login.signIn'), exact: true }).click();
    // The server's error, by its code, in the page's language.
    await p.getByRole('alert').filter({ hasText: T('common.errors.invalid_credentials') }).waitFor();
    await p.getByLabel(T('login.password')).fill(env('AIMA_LOCKED_PASSWORD'));
    await p.getByRole('button', { name: T('login.signIn'), exact: true }).click();
    await p.getByRole('heading', { name: T('library.title') }).waitFor();
    await p.getByText(`${env('AIMA_LOCKED_VIEWER')} · default · ${T('common.role.viewer')}`).waitFor();
    // The media the key's session uploaded is there to read...
    await p.locator('.grid li').first().waitFor();
    // ...but no upload and no delete.
    assert.equal(await p.locator('#files').isVisible(), false);
    assert.equal(await p.getByRole('button', { name: T('library.delete') }).count(), 0);
    await p.locator('.grid li a').first().click();
    await p.waitForFunction(() => { const v = document.querySelector('video'); return v && v.readyState >= 1; });
    // The media has insights (its transcript, listed in the table), whose
    // review buttons an editor would see: a viewer sees none of them, and
    // no "Analyse again".
    // Its job's progress is followed on the page until it ends; then the
    // transcript is there (counted after the reloaded page has it, not
    // while it is still loading).
    await p.locator('.player-col > .job[data-state="succeeded"]').waitFor({ timeout: LONG });
    await p.reload();
    await p.locator('.segment').first().waitFor();
    await p.locator('table.insights tbody tr').first().waitFor();
    assert.equal(await p.getByRole('button', { name: T('media.insights.confirm') }).count(), 0);
    assert.equal(await p.getByRole('button', { name: T('media.insights.reject') }).count(), 0);
    assert.equal(await p.getByText(T('media.reanalyse.title')).isVisible(), false);
    await accessible('viewer', p);
    await shot('viewer', p);
    await p.getByRole('button', { name: T('common.logout') }).click();
    await p.getByLabel(T('login.name')).waitFor();
    await ctx.close();
  });

  test('no page raised an error', () => {
    assert.deepEqual(errors, []);
  });
});
