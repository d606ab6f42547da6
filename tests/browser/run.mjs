// Browser test of the detwiki wiki in a real headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core. run.sh builds a fixture corpus, starts `detwiki serve` and calls:
//
//   node run.mjs --base http://127.0.0.1:PORT --shots DIR [--sigmahq]
//
// It walks home → tactic → technique → the seed rule → an indicator's corpus count → the rules
// sharing it, searches "PortProxy" and lands on the seed rule, checks the rules list filters and
// the hostile demo rule, follows the home page's "Left out" count to the list of files left out and
// to the page of the broken fixture file, checks that search labels the kind of each result and puts
// the technique first for "T1090", that an event page says what the event is with a real example
// (events index → Sysmon → Event 13), that choosing "My telemetry" changes the matrix, a technique
// page and the rules list, follows the seed rule's "Seen in sample data" to a sample file and its
// "Fires together" to a neighbor that fired too (the server runs --events), that the home matrix
// marks a technique whose rules fired and its page says how many and links their hits to the
// rule page's "Seen in sample data", that no event name
// ends in a dangling colon and that no word of
// the rules list is broken mid-word (1,400 px; the "File" label at 390 px), fails on any console
// error or dialog, and saves screenshots of the seed rule page (desktop, dark, phone). With --sigmahq
// the server holds the SigmaHQ corpus instead and only the seed-rule, search, paging and word-break
// checks run. With --languages the server holds the demo rules beside the Elastic fixtures and
// only the language steps run: the rules list's Language filter (and the home page's links to it),
// an Elastic rule's highlighted TOML and EQL, a technique page's language chips, search by "eql".
// Prints "N passed, M failed" and exits non-zero on failure.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const base = opt('--base', 'http://127.0.0.1:8080').replace(/\/$/, '');
const shots = opt('--shots', 'target/browser');
const sigmahq = args.includes('--sigmahq');
const languages = args.includes('--languages');
const SEED = 'New PortProxy Registry Entry Added';
fs.mkdirSync(shots, { recursive: true });

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'detwiki-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const problems = [];
let passed = 0;
let failed = 0;

const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(15000);
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`); });
page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
page.on('dialog', async (d) => { problems.push(`dialog opened on ${page.url()}: ${d.message()}`); await d.dismiss(); });
page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
  }
}
function expect(cond, msg) { if (!cond) throw new Error(msg); }
async function h1() { return (await page.locator('main h1').first().textContent()).trim(); }
async function clickTo(locator) {
  await Promise.all([page.waitForLoadState('load'), locator.first().click()]);
  await page.waitForLoadState('load');
}
// Words of the elements matching `selector` that the layout split over two lines (a word whose
// text range has more than one line box), at most 5 of them. Words are runs of letters and digits:
// a line may end after a hyphen or a slash, as in print, but not inside "File".
async function brokenWords(selector) {
  return page.evaluate((sel) => {
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        for (const m of n.data.matchAll(/[\p{L}\p{N}]+/gu)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set(Array.from(r.getClientRects()).filter((x) => x.width > 0).map((x) => Math.round(x.top)));
          if (tops.size > 1 && out.length < 5) out.push(m[0]);
        }
      }
    }
    return out;
  }, selector);
}
// Search with the header box: the options' [title, kind] once shown.
async function headerSearch(q) {
  await page.locator('#q').fill('');
  await page.locator('#search-results').waitFor({ state: 'hidden' });
  await page.locator('#q').fill(q);
  await page.locator('#search-results li[role=option]').first().waitFor();
  return page.locator('#search-results li[role=option] a').evaluateAll((as) =>
    as.map((a) => [a.querySelector('.hit-title').textContent, a.querySelector('.hit-kind').textContent]));
}

if (languages) {
  // The demo rules (corpus sigma) beside the Elastic fixtures (corpus elastic): only these steps.
  await step('rules list: the Language filter shows one language\'s rules', async () => {
    await page.goto(`${base}/rules/index.html`);
    await page.locator('#filters:not([hidden])').waitFor();
    const total = parseInt((await page.locator('#shown').textContent()).match(/(\d+) rules/)[1], 10);
    await page.selectOption('select[data-filter=language]', 'elastic');
    expect(page.url().includes('language=elastic'), 'filter is kept in the URL');
    const shown = await page.locator('#shown').textContent();
    const n = parseInt(shown, 10);
    expect(n > 0 && n < total, `language=elastic: "${shown}" of ${total}`);
    const corpora = new Set(await page.locator('#rules-table tbody tr td:nth-child(7)').allTextContents());
    expect(corpora.size === 1 && corpora.has('elastic'), `corpora shown: ${[...corpora]}`);
    // The home page's language counts link to the filtered list.
    await page.goto(`${base}/`);
    await clickTo(page.locator('#languages a', { hasText: 'Sigma' }));
    await page.locator('#filters:not([hidden])').waitFor();
    expect(await page.locator('select[data-filter=language]').inputValue() === 'sigma', 'home link filters by language');
  });
  await step('an Elastic rule page highlights its TOML and its EQL query', async () => {
    await page.goto(`${base}/rules/elastic/behavior/index.html`);
    const code = page.locator('#body pre.toml.hl code');
    expect((await code.locator('span.t').first().textContent()) === '[rule]', 'table header');
    const keywords = await code.locator('span.kw').allTextContents();
    expect(keywords.includes('sequence') && keywords.includes('where'), `keywords: ${keywords}`);
    const fields = await code.locator('span.f').allTextContents();
    expect(fields.includes('process.entity_id'), `fields: ${fields}`);
    const colours = await code.evaluate((c) => [c, c.querySelector('span.f'), c.querySelector('span.kw')]
      .map((e) => getComputedStyle(e).color));
    expect(new Set(colours).size === 3, `text, field and keyword colours: ${colours}`);
  });
  await step('a technique page shows one language\'s rules with its chips', async () => {
    await page.goto(`${base}/techniques/T1110/index.html`);
    const rows = page.locator('#rules tbody tr');
    const all = await rows.count();
    await page.locator('#language-chips button[data-lang=elastic]').click();
    const shown = await page.locator('#rules tbody tr:visible').count();
    expect(shown > 0 && shown < all, `elastic chip shows ${shown} of ${all}`);
    const langs = await page.locator('#rules tbody tr:visible').evaluateAll((trs) => trs.map((t) => t.dataset.lang));
    expect(langs.every((l) => l === 'elastic'), `rows shown: ${langs}`);
    await page.locator('#language-chips button[data-lang=""]').click();
    expect(await page.locator('#rules tbody tr:visible').count() === all, 'all again');
  });
  await step('search "eql" finds Elastic rules and shows their language', async () => {
    await page.goto(`${base}/search/index.html?q=eql`);
    await page.locator('#search-page-results li').first().waitFor();
    const text = await page.locator('#search-page-results li a').first().textContent();
    expect(/ Rule · Elastic · elastic · /.test(text), `first result reads "${text}"`);
  });
}
if (!sigmahq && !languages) {
  await step('home shows the matrix', async () => {
    await page.goto(`${base}/`);
    expect((await h1()) === 'Detection wiki', `home h1 is ${await h1()}`);
    expect(await page.locator('#matrix .tactic').count() >= 14, 'matrix has the tactic columns');
  });
  await step('home → tactic', async () => {
    await clickTo(page.locator('#matrix .tactic h3 a', { hasText: 'Command & Control' }));
    expect((await h1()).includes('Command & Control'), `tactic h1 is ${await h1()}`);
  });
  await step('tactic → technique', async () => {
    await clickTo(page.locator('main a', { hasText: 'T1090 Proxy' }));
    expect((await h1()).includes('T1090 Proxy'), `technique h1 is ${await h1()}`);
  });
  await step('technique → seed rule, sections in the seed order', async () => {
    await clickTo(page.locator('#rules a', { hasText: SEED }));
    expect((await h1()) === SEED, `rule h1 is ${await h1()}`);
    const crumbs = (await page.locator('.crumbs').textContent()).replace(/\s+/g, ' ').trim();
    expect(crumbs === 'Detection rules Sigma', `breadcrumb is "${crumbs}"`);
    const h2 = (await page.locator('main h2').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const want = ['MITRE ATT&CK coverage', 'Event coverage', 'Rule body yaml', 'Stages and Predicates', 'Indicators',
      'References', 'False positives', 'Neighbors'];
    const got = h2.filter((t) => want.includes(t));
    expect(JSON.stringify(got) === JSON.stringify(want), `sections: ${JSON.stringify(h2)}`);
  });
  await step('screenshots of the seed rule page', async () => {
    await page.screenshot({ path: path.join(shots, 'seed-rule.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(shots, 'seed-rule-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, 'seed-rule-phone.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow <= 1, `page is ${overflow}px wider than a phone`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  await step('seed rule → indicator corpus count → the rules sharing it', async () => {
    const count = page.locator('#indicators a.count').first();
    const label = (await count.textContent()).trim();
    expect(/^corpus 2 \(sigma 2\)$/.test(label), `count label is ${label}`);
    await clickTo(count);
    expect((await h1()).includes('\\Services\\PortProxy\\v4tov4\\tcp\\'), `indicator h1 is ${await h1()}`);
    const rules = await page.locator('#rules tbody a').allTextContents();
    expect(rules.length === 2 && rules.includes(SEED), `rules sharing it: ${JSON.stringify(rules)}`);
    await clickTo(page.locator('#rules tbody a', { hasText: 'Unusual Process' }));
    expect((await h1()) === 'PortProxy Registry Value Set By Unusual Process', `landed on ${await h1()}`);
  });
  await step('keyboard: skip link and visible focus', async () => {
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    expect(focused === 'Skip to content', `first Tab focuses ${focused}`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    expect(outline !== 'none', 'focused element has an outline');
  });
  await step('rules list filters and sorting', async () => {
    await page.goto(`${base}/rules/index.html`);
    const all = await page.locator('#rules-table tbody tr:visible').count();
    await page.selectOption('select[data-filter=level]', 'high');
    const high = await page.locator('#rules-table tbody tr:visible').count();
    expect(high > 0 && high < all, `level=high shows ${high} of ${all}`);
    expect(page.url().includes('level=high'), 'filter is kept in the URL');
    await page.selectOption('select[data-filter=level]', '');
    await page.locator('#rules-table th button', { hasText: 'Rule' }).click();
    const first = (await page.locator('#rules-table tbody tr td a').first().textContent()).trim();
    expect(first.length > 0, 'sorted');
  });
  await step('the hostile demo rule renders inert', async () => {
    await page.goto(`${base}/rules/sigma/file_event_win_xss_demo/index.html`);
    expect((await h1()).startsWith('<script>alert("title")</script>'), 'title shown as text');
    expect(await page.locator('main script, main img, main svg').count() === 0, 'no injected elements');
    const hrefs = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => !/^\s*(javascript|data):/i.test(h)), 'no javascript: links');
  });
  await step('home "Left out" count → list of files left out → the broken file\'s findings', async () => {
    await page.goto(`${base}/`);
    await clickTo(page.locator('#corpora a[href*="left-out/"]'));
    expect((await h1()) === 'Files left out', `list h1 is ${await h1()}`);
    await clickTo(page.locator('main .left-out-file h3 a', { hasText: 'broken_whoami.yml' }));
    expect((await h1()).includes('broken_whoami.yml'), `left-out page h1 is ${await h1()}`);
    const diag = await page.locator('main pre.diag').first().textContent();
    expect(diag.includes('error[unknown-modifier]: unknown modifier `contians`'), `finding: ${diag}`);
    expect(/\n\s*\d+ \|\s+CommandLine\|contians:/.test(diag), `source line: ${diag}`);
  });
  await step('events: no name ends in a dangling colon', async () => {
    await page.goto(`${base}/events/index.html`);
    const names = await page.locator('main td a').allTextContents();
    const dangling = names.filter((t) => /:\s*$/.test(t));
    expect(names.includes('Event ID 4625: An account failed to log on'), `event names: ${JSON.stringify(names.slice(0, 5))}`);
    expect(dangling.length === 0, `dangling colons: ${JSON.stringify(dangling)}`);
  });
  await step('events index → Sysmon → Event 13: what it is, with a real example', async () => {
    await page.goto(`${base}/events/index.html`);
    await clickTo(page.locator('main h2 a', { hasText: /^Sysmon$/ }));
    const lead = await page.locator('#provider-events .lead').textContent();
    expect(lead.startsWith('30 events across 1 channel'), `provider page says "${lead}"`);
    await clickTo(page.locator('#provider-events a', { hasText: /^13$/ }));
    expect((await h1()).includes('RegistryEvent (Value Set)'), `landed on ${await h1()}`);
    expect(await page.locator('#message .ph', { hasText: '{TargetObject}' }).isVisible(), 'template names its fields');
    const note = await page.locator('#example .note').textContent();
    expect(note.startsWith('A real event'), `example note: ${note}`);
    expect(await page.locator('#example td', { hasText: 'TargetObject' }).count() >= 1, 'example has TargetObject');
    await page.screenshot({ path: path.join(shots, 'event-sysmon-13.png'), fullPage: true });
  });
  await step('My telemetry: choosing Sysmon 1 changes the matrix, a technique page and the rules list', async () => {
    await page.goto(`${base}/`);
    expect(await page.locator('#matrix .fires').count() === 0, 'no telemetry shown before a choice');
    await clickTo(page.locator('#matrix a', { hasText: 'My telemetry' }));
    const box = page.locator('#telemetry-choice input[value="Sysmon|Microsoft-Windows-Sysmon/Operational|1"]');
    await box.check();
    const said = await page.locator('#telemetry-summary').textContent();
    expect(/^1 event chosen: \d+ of \d+ rules can fire/.test(said), `summary: ${said}`);
    await page.goto(`${base}/`);
    await page.locator('#matrix .fires').first().waitFor();
    expect(await page.locator('#matrix .cell.blind').count() > 0, 'registry-only techniques are greyed');
    const t1090 = await page.locator('#matrix .cell > a[href*="techniques/T1090/"] .fires').textContent();
    expect(t1090 === '0 can fire', `T1090 (registry rules): ${t1090}`);
    await page.goto(`${base}/techniques/T1218/index.html`);
    await page.locator('#my-telemetry').waitFor();
    const fact = await page.locator('#my-telemetry dd').textContent();
    expect(/^1 of 1 rules can fire/.test(fact), `T1218: ${fact}`);
    await page.goto(`${base}/rules/index.html`);
    await page.locator('select[name=telemetry]').selectOption('blind');
    const rows = await page.locator('#rules-table tbody tr').count();
    expect(rows > 0 && (await page.locator('#rules-table tbody', { hasText: 'PortProxy' }).count()) === 1, `${rows} blind rules`);
    await page.evaluate(() => window.localStorage.removeItem('detwiki-telemetry'));
  });
  await step('search results are the title, then the kind and what is on the page', async () => {
    await page.goto(`${base}/search/index.html?q=proxy`);
    await page.locator('#search-page-results li').first().waitFor();
    const gap = await page.locator('#search-page-results li a').first().evaluate((a) =>
      a.querySelector('small').getBoundingClientRect().top - a.querySelector('.hit-title').getBoundingClientRect().bottom);
    expect(gap >= -1, 'the kind line is under the title, not run into it');
    const text = await page.locator('#search-page-results li a').first().textContent();
    expect(/^T1090 Proxy Technique · \d+ rules?$/.test(text), `first result reads "${text}"`);
  });
}

if (!languages) {
await step('search "T1090" puts the technique first and labels each kind', async () => {
  await page.goto(`${base}/`);
  const hits = await headerSearch('T1090');
  expect(hits[0][0] === 'T1090 Proxy' && hits[0][1] === 'Technique', `first: ${JSON.stringify(hits[0])}`);
  expect(hits.some((h) => h[1] === 'Rule'), `kinds: ${JSON.stringify(hits.map((h) => h[1]))}`);
  const events = await headerSearch('sysmon 13');
  expect(events[0][1] === 'Event' && events[0][0].startsWith('Sysmon Event ID 13'), `sysmon 13: ${JSON.stringify(events[0])}`);
});
await step('rules list: no word broken mid-word at 1,400 px, nor "File" at 390 px', async () => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${base}/rules/index.html`);
  await page.locator('#filters:not([hidden])').waitFor();
  const broken = await brokenWords('#rules-table tbody td');
  expect(broken.length === 0, `broken words: ${JSON.stringify(broken)}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/rules/sigma/registry_event_portproxy_registry_key/index.html`);
  const labels = await brokenWords('.meta dt');
  expect(labels.length === 0, `labels broken: ${JSON.stringify(labels)}`);
  await page.goto(`${base}/rules/index.html`);
  await page.locator('#filters:not([hidden])').waitFor();
  const phone = await brokenWords('#rules-table tbody td');
  expect(phone.length === 0, `broken words at 390 px: ${JSON.stringify(phone)}`);
  await page.setViewportSize({ width: 1280, height: 900 });
});
if (sigmahq) {
  await step('rules list: 200 a page, filters over every rule', async () => {
    await page.goto(`${base}/rules/index.html`);
    await page.locator('#filters:not([hidden])').waitFor();
    expect(await page.locator('#rules-table tbody tr').count() === 200, 'first page has 200 rows');
    const total = parseInt((await page.locator('#shown').textContent()).match(/(\d+) rules/)[1], 10);
    expect(total > 3000, `all rules counted: ${total}`);
    await page.locator('#pager button', { hasText: 'Next' }).click();
    expect(page.url().includes('page=2'), 'page in the URL');
    await page.selectOption('select[data-filter=level]', 'critical');
    const shown = await page.locator('#shown').textContent();
    const n = parseInt(shown, 10);
    const rows = await page.locator('#rules-table tbody tr').count();
    expect(n > 0 && n < total && rows === Math.min(n, 200), `critical: "${shown}", ${rows} rows`);
    const levels = new Set(await page.locator('#rules-table tbody .lvl').allTextContents());
    expect(levels.size === 1 && levels.has('critical'), `levels shown: ${[...levels]}`);
  });
}
await step('search "PortProxy" lands on the seed rule', async () => {
  await page.goto(`${base}/`);
  await page.locator('#q').fill('PortProxy');
  const first = page.locator('#search-results li[role=option]').first();
  await first.waitFor();
  const text = await page.locator('#search-results').textContent();
  expect(text.includes(SEED), `results: ${text.slice(0, 200)}`);
  // The seed rule is among the hits; reach it with the keyboard.
  const titles = await page.locator('#search-results li[role=option] .hit-title').allTextContents();
  const at = titles.indexOf(SEED);
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForURL(/registry_event_portproxy_registry_key/), page.keyboard.press('Enter')]);
  expect((await h1()) === SEED, `landed on ${await h1()}`);
  if (sigmahq) await page.screenshot({ path: path.join(shots, 'seed-rule-sigmahq.png'), fullPage: true });
});
await step('typo-tolerant search page agrees with /api/search', async () => {
  await page.goto(`${base}/search/index.html?q=portprxy`);
  await page.locator('#search-page-results li').first().waitFor();
  const shown = await page.locator('#search-page-results li .hit-title').allTextContents();
  const api = await (await fetch(`${base}/api/search?q=portprxy&limit=100`)).json();
  const fromApi = api.hits.map((h) => h.title);
  expect(shown.includes(SEED), `page hits: ${JSON.stringify(shown.slice(0, 5))}`);
  expect(JSON.stringify(shown) === JSON.stringify(fromApi), 'browser and server rank alike');
});
await step('seed rule → "Seen in sample data" → its sample file → a co-firing neighbor', async () => {
  await page.goto(`${base}/rules/sigma/registry_event_portproxy_registry_key/index.html`);
  const section = page.locator('section#samples');
  const said = (await section.locator('p').first().textContent()).trim();
  expect(/^\d+ hits? in \d+ files? of the sample data/.test(said), `section says: ${said}`);
  expect((await section.locator('ul.matched li').first().textContent()).includes("TargetObject|contains: '\\Services\\PortProxy\\v4tov4\\tcp\\'"),
    'the matched predicate is named as its stage names it');
  const fileLink = section.locator('table a').first();
  const fileName = (await fileLink.textContent()).trim();
  await clickTo(fileLink);
  expect((await h1()).endsWith(fileName), `sample page: ${await h1()}`);
  const fired = await page.locator('#rules-fired table a').allTextContents();
  expect(fired.includes(SEED), `rules fired there: ${JSON.stringify(fired.slice(0, 5))}`);
  await page.goBack();
  await page.waitForLoadState('load');
  const neighbor = page.locator('ul.together a').first();
  const title = (await neighbor.textContent()).trim();
  await clickTo(neighbor);
  expect((await h1()) === title, `co-firing neighbor: ${await h1()} (link said ${title})`);
  expect(await page.locator('section#samples strong').count() > 0, 'the neighbor fired too');
});
await step('home matrix → a technique page says which of its rules fired → the rule\'s "Seen in sample data"', async () => {
  await page.goto(`${base}/`);
  expect(await page.locator('nav.sitenav a[href="samples/index.html"]').count() === 1, 'the site header links the sample data');
  const cell = page.locator('.matrix a[href="techniques/T1090/index.html"]').first();
  const marker = (await cell.locator('.fired').textContent()).trim();
  expect(/^\d+ fired$/.test(marker), `matrix marker: ${marker}`);
  await clickTo(cell);
  const said = (await page.locator('section#samples p').first().textContent()).trim();
  const m = said.match(/^(\d+) of its (\d+) rules? fired on the sample data/);
  expect(m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]), `technique page says: ${said}`);
  expect(`${m[1]} fired` === marker, `the matrix said ${marker}, the page ${said}`);
  const hits = page.locator('#rules table.rules a.fired[href*="registry_event_portproxy_registry_key/index.html#samples"]');
  const n = parseInt(await hits.textContent(), 10);
  await clickTo(hits);
  expect((await h1()) === SEED, `landed on ${await h1()}`);
  const seen = (await page.locator('section#samples p').first().textContent()).trim();
  expect(seen.startsWith(`${n} hit`), `the rule page says ${seen}, the technique page ${n}`);
});
await step('the "N other rules read exactly the same events" line lists them', async () => {
  // The demo's seed rule reads events no other demo rule reads exactly: its process_creation rules do.
  const rule = sigmahq ? 'registry_event_portproxy_registry_key' : 'proc_creation_win_rundll32_no_dll';
  await page.goto(`${base}/rules/sigma/${rule}/index.html`);
  const link = page.locator('section#neighbors a[href*="same-events/"]');
  const n = parseInt(await link.textContent(), 10);
  await clickTo(link);
  const rows = await page.locator('#rules table.rules tbody tr').count();
  expect(rows === n + 1, `${rows} rules listed, the line said ${n} others`);
});
}
await step('no console error, failed request or dialog', async () => {
  expect(problems.length === 0, problems.join(' | '));
});

await context.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
console.log(`${sigmahq ? "sigmahq" : languages ? "languages" : "browser"}: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
