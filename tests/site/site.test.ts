// The release as a publication, in a real headless Chromium against a real `zhengce serve` of a real pipeline's output:
// document pages with JavaScript off, search, the SQL console, the timeline, the feed, XLSX, file://, hostile posts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import { launchBrowser, openPage, type TestBrowser, type WatchedPage } from '../helpers/browser.ts';
import { makeWorkspace, ROOT, SAMPLE_POSTS, startServe } from '../helpers/cli.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';

const PLAN_POST = join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md');
/** A finews post with an empty title and date, as the scraper wrote it. */
const UNTITLED_POST = join(SAMPLE_POSTS, '-202205262391921712.md');
const REVISIONS = join(ROOT, 'tests', 'fixtures', 'revisions');
/** The plan's ten parts, as printed (read from the post). */
const PLAN_PARTS = [
  '一、总体要求',
  '二、进一步提高土地要素配置效率',
  '三、推动劳动力要素合理畅通有序流动',
  '四、推动资本要素服务实体经济发展',
  '五、大力促进技术要素向现实生产力转化',
  '六、探索建立数据要素流通规则',
  '七、加强资源环境市场制度建设',
  '八、健全要素市场治理',
  '九、进一步发挥要素协同配置效应',
  '十、强化组织实施',
];
const YEAR_SQL = 'SELECT year(published_at) AS year, count(*) AS n FROM documents GROUP BY ALL ORDER BY year';

/** A post whose every field carries markup and script payloads; its file name too. Written by the test, not a fixture. */
const HOSTILE_NAME = '"><svg onload=alert(3)>.md';
const HOSTILE_TITLE = '国务院办公厅关于印发《<img src=x onerror=alert(1)>"><svg onload=alert(2)></script><script>alert(2)</script>]]>试点方案》的通知';
const HOSTILE_POST = `---
title: ${JSON.stringify(HOSTILE_TITLE)}
date: 2023-03-01 10:00:00 +0800
categories: zhongguozhengfuwang
tags: javascript:alert(4)
---
<p>国办发〔2023〕99号</p>
<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
<p>《&lt;img src=x onerror=alert(5)&gt;试点方案》已经国务院同意，现印发给你们，请认真贯彻执行。</p>
<p>一、总体要求&quot;&gt;&lt;svg onload=alert(6)&gt;</p>
<p>(一)到2025年，完成&lt;img src=x onerror=alert(7)&gt;]]&gt;工作。支持建立javascript:alert(8)机制。</p>
<p>二、保障措施</p>
<p>(二)各地区要加强组织领导。</p>
`;

interface Doc {
  doc_id: string;
  title: string;
  source_id: string;
  published_at: string;
}

describe('the release as a publication', () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  let serve: { child: ChildProcess; url: string };
  let browser: TestBrowser;
  let releases: string[];
  let docs: Doc[];
  let screenshots: string;
  const pages: WatchedPage[] = [];
  // One page for the interactive tests, opened with a linked search and a linked query: DuckDB-WASM starts once.
  let site: WatchedPage;
  const doc = (match: (d: Doc) => boolean): Doc => docs.find(match)!;
  const plan = () => doc((d) => d.title.includes('要素市场化'));
  const companyLaw = () => doc((d) => d.title.includes('公司法'));
  const hostile = () => doc((d) => d.title === HOSTILE_TITLE);

  before(async () => {
    ws = await makeWorkspace({ posts: [PLAN_POST, UNTITLED_POST, join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
    await writeFile(join(ws.postsDir, HOSTILE_NAME), HOSTILE_POST);
    await copyFile(join(REVISIONS, 'gongsifa.v1.md'), join(ws.postsDir, 'gongsifa.md'));
    // The two runs in process, a second apart (a release id each); the site is served by the real `zhengce serve`.
    const clock = new RunClock();
    assert.equal((await runInProcess(ws.file, ws.cwd, { clock })).code, 0);
    await copyFile(join(REVISIONS, 'gongsifa.v2.md'), join(ws.postsDir, 'gongsifa.md'));
    assert.equal((await runInProcess(ws.file, ws.cwd, { clock: clock.next() })).code, 0);
    releases = (await readdir(join(ws.out, 'releases'))).sort();
    // The spreadsheet download guards formula-looking cells with a ' (an untitled post's id begins with -): the values themselves here.
    docs = (parse(await readFile(join(ws.out, 'downloads', 'documents.csv'), 'utf8'), { columns: true, bom: true }) as Doc[]).map((d) => ({
      ...d,
      source_id: d.source_id.replace(/^'([=+\-@])/, '$1'),
    }));
    serve = await startServe(ws.cwd, ws.file);
    screenshots = join(ws.cwd, 'screenshots');
    await mkdir(screenshots);
    browser = await launchBrowser();
    // Smoke check first: the page reaches ready within 30 s, or every test here fails at once with what it saw.
    site = await open(`${serve.url}latest/index.html?q=${encodeURIComponent('数据要素')}&sql=${encodeURIComponent(YEAR_SQL)}`);
    await site.waitFor('#app[data-ready="#"]', 30_000);
  });

  after(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
  });

  async function open(url: string, javascript = true): Promise<WatchedPage> {
    const page = await openPage(browser, url, { javascript, screenshots });
    pages.push(page);
    return page;
  }

  const shot = (w: WatchedPage, name: string, fullPage = false) => w.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
  const status = async (href: string) => (await fetch(new URL(href, serve.url))).status;

  // How fast it loads is a figure for the bench (a loaded machine makes any limit here flaky): what is tested is that the page needs no script to show it.
  test('the home page: the newest plans, what changed and the timeline are in the page itself', async () => {
    const html = await (await fetch(new URL('latest/index.html', serve.url))).text();
    for (const id of ['plans', 'change-counts', 'timeline-table']) assert.match(html, new RegExp(`id="${id}"`), `#${id} is in the served HTML, not built by script`);
    assert.match(html, /要素市场化配置综合改革试点总体方案/, 'the newest plans are named in the served HTML');
    const planLinks = await site.page.$$eval('#plans a', (as) => as.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    assert.ok(planLinks.some(([text]) => text === '要素市场化配置综合改革试点总体方案'));
    assert.deepEqual(
      await Promise.all(planLinks.map(([, href]) => status(href!))),
      planLinks.map(() => 200),
      'every plan links to its page',
    );
    assert.match(await site.page.$eval('#change-counts', (e) => e.textContent ?? ''), /0\s*1\s*0/, 'release 2 changed one document');
    await shot(site, 'home');
  });

  test("the plan's page, JavaScript off: metadata in Chinese, its 10 parts as headings with their text, measures in document order", async () => {
    const w = await open(`${serve.url}latest/docs/${plan().doc_id}.html`, false);
    const headings = await w.page.$$eval('#outline h3', (hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, '')));
    assert.deepEqual(headings, PLAN_PARTS);
    assert.match(await w.page.$eval('#outline', (e) => e.textContent ?? ''), /探索“原始数据不出域、数据可用不可见”的交易范式/, 'provisions show their text');
    const labels = await w.page.$$eval('#metadata th', (ths) => ths.map((th) => th.textContent ?? ''));
    assert.ok(labels[0].startsWith('发文机关'), `Chinese labels first: ${labels.join(', ')}`);
    assert.equal(await w.page.$$eval('#metadata a[href*="pipelines/"], #metadata a[href^="file:"]', (as) => as.length), 0, "no local file path as the post's address");
    // Each measure's provision comes at or after the previous one's in the outline.
    const order = await w.page.$$eval('#outline section.provision', (ss) => ss.map((s) => s.id));
    const measures = await w.page.$$eval('#measure-list > li', (lis) => lis.map((li) => li.getAttribute('data-path')!));
    assert.ok(measures.length > 100);
    const at = measures.map((p) => order.indexOf(`p-1-${p}`));
    assert.ok(
      at.every((i) => i >= 0),
      'every measure is in an outlined provision',
    );
    assert.deepEqual(
      at,
      [...at].sort((a, b) => a - b),
      `measures in document order: ${measures.join(' ')}`,
    );
    assert.equal(measures[0], '1.1');
    assert.match(measures.at(-1)!, /^10\./);
    assert.equal((await w.page.$$('#principles li')).length, 4);
    assert.match(await w.page.$eval('#cite', (e) => e.textContent ?? ''), /国务院办公厅：《国办印发要素市场化配置综合改革试点总体方案》/);
    await shot(w, 'plan');
    await w.page.close();
  });

  test('?q=数据要素 finds the plan; a 发文字号 is found in every bracket form; the results link to document pages', async () => {
    const first = await site.page.$$eval('#search-results .result a', (as) => as.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    assert.equal(first[0]?.[0], plan().title);
    assert.equal(await status(first[0][1]!), 200);
    const number = '国办函〔2018〕71号';
    const numbered = doc((d) => d.source_id === 'govcn-2018-11-09-content_5338761');
    for (const form of [number, '国办函[2018]71号', '国办函(2018)71号', '国办函（2018）71号']) {
      await site.page.$eval('#q', (e, v) => ((e as HTMLInputElement).value = v), form);
      await site.page.click('#search-form button');
      await site.page.waitForFunction((v) => document.querySelector('#search-results')?.getAttribute('data-ready') === v, { timeout: 10_000 }, form);
      const found = await site.page.$$eval('#search-results .result a', (as) => as.map((a) => a.textContent));
      assert.deepEqual(found, [numbered.title], `${form} finds ${number}`);
    }
    assert.match(site.page.url(), /\?q=.*71/, 'the search is in the address, so it can be linked');
  });

  test("?sql=SELECT year(published_at) … runs typed as the Parquet tables; views.sql's timeline is there; a typo gets its hint", async () => {
    const years = await site.page.$$eval('#sql-result tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const expected = new Map<string, number>();
    for (const d of docs) expected.set(d.published_at.slice(0, 4), (expected.get(d.published_at.slice(0, 4)) ?? 0) + 1);
    // Undated posts (year NULL) sort last, as in SQL.
    assert.deepEqual(
      years,
      [...expected].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b))).map(([y, n]) => [y, String(n)]),
    );
    const run = async (sql: string) => {
      await site.page.$eval('#sql-input', (e, v) => ((e as HTMLTextAreaElement).value = v), sql);
      await site.page.click('#sql-run');
      await site.page.waitForFunction((v) => document.querySelector('#sql-result')?.getAttribute('data-ready') === v, { timeout: 30_000 }, sql);
      return site.page.$eval('#sql-result', (e) => e.textContent ?? '');
    };
    assert.match(await run('SELECT DISTINCT plan_name FROM timeline WHERE year = 2025'), /要素市场化配置综合改革试点总体方案/);
    assert.match(await run('SELECT typeof(published_at) AS t, typeof(tags) AS l, typeof(issued_date) AS d FROM documents LIMIT 1'), /TIMESTAMP.*VARCHAR\[\].*DATE/);
    assert.match(await run('SELECT * FROM documnets'), /Did you mean "documents"/);
  });

  test("the timeline names its plans, and the targets due link to their documents' pages", async () => {
    const names = await site.page.$$eval('#timeline-table th.plan', (ths) => ths.map((th) => th.textContent));
    assert.ok(names.includes('要素市场化配置综合改革试点总体方案'), names.join(' | '));
    const due = await site.page.$$eval('#due a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.ok(due.length > 0);
    assert.deepEqual(
      await Promise.all(due.map(status)),
      due.map(() => 200),
    );
    await site.page.$eval('#timeline', (e) => e.scrollIntoView());
    await shot(site, 'timeline');
  });

  test('the revised 公司法: its page renders redlines around the change, and the home page shows them, never raw markup', async () => {
    const w = await open(`${serve.url}latest/docs/${companyLaw().doc_id}.html`, false);
    assert.ok((await w.page.$$('#redlines ins')).length > 0 && (await w.page.$$('#redlines del')).length > 0);
    for (const text of [await w.page.$eval('#redlines', (e) => e.textContent ?? ''), await site.page.$eval('#changes', (e) => e.textContent ?? '')]) assert.doesNotMatch(text, /\[-|-\]|\{\+|\+\}/);
    assert.ok((await site.page.$$('#release-redlines ins, #release-redlines del')).length > 0);
    // Its versions link to the releases that first published them, also seen through latest/.
    const versions = await w.page.$$eval('#versions a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.equal(versions.length, 2);
    assert.deepEqual(await Promise.all(versions.map(status)), [200, 200]);
    await w.page.close();
  });

  test('an unchanged document keeps its page from the parent release (a hard link); the changed one is new', async () => {
    const [r1, r2] = releases.map((r) => join(ws.out, 'releases', r));
    const inode = async (p: string) => (await stat(p)).ino;
    assert.equal(await inode(join(r2, 'docs', `${plan().doc_id}.html`)), await inode(join(r1, 'docs', `${plan().doc_id}.html`)));
    assert.notEqual(await inode(join(r2, 'docs', `${companyLaw().doc_id}.html`)), await inode(join(r1, 'docs', `${companyLaw().doc_id}.html`)));
    assert.equal((await readdir(join(r2, 'docs'))).filter((f) => f.endsWith('.html')).length, docs.length);
    // A corpus this small is one search shard, built again since a document changed (tests/site/search.test.ts: shards).
    assert.deepEqual(Object.keys(JSON.parse(await readFile(join(r2, 'search', 'manifest.json'), 'utf8')).shards), ['all']);
    assert.notEqual(await inode(join(r2, 'search', 'all', 'pagefind-entry.json')), await inode(join(r1, 'search', 'all', 'pagefind-entry.json')));
  });

  test("feed.xml is valid Atom, newest release first, with stable ids and links to the changed documents' pages", async () => {
    const res = await fetch(new URL('feed.xml', serve.url));
    assert.equal(res.status, 200);
    const { feed } = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await res.text());
    for (const k of ['id', 'title', 'updated', 'author', 'link', 'entry']) assert.ok(feed[k], `feed has <${k}>`);
    assert.match(feed.id, /^urn:uuid:[0-9a-f-]{36}$/);
    const entries = [feed.entry].flat();
    assert.equal(entries.length, 2);
    assert.match(entries[0].title, new RegExp(releases[1]), 'names the newest release first');
    assert.ok(entries[0].updated >= entries[1].updated);
    for (const e of entries) for (const k of ['id', 'title', 'updated', 'link', 'content']) assert.ok(e[k], `entry has <${k}>`);
    assert.equal(await status(new URL(entries[0].link.href, res.url).href), 200);
    assert.ok(entries[0].content['#text'].includes(`releases/${releases[1]}/docs/${companyLaw().doc_id}.html`));
    // The first release's entry keeps its id from the feed as it was then.
    const then = new XMLParser({ ignoreAttributes: false }).parse(await readFile(join(ws.out, 'releases', releases[0], 'feed.xml'), 'utf8')).feed;
    assert.equal([then.entry].flat()[0].id, entries[1].id);
    assert.equal(then.id, feed.id);
    // Every page names the feed.
    assert.equal(await site.page.$eval('link[rel="alternate"]', (l) => l.getAttribute('type')), 'application/atom+xml');
  });

  test('a selection downloads as XLSX built in the browser, its text cells intact', async () => {
    await site.page.select('#pick-table', 'documents');
    await site.page.select('#pick-column', 'title');
    await site.page.type('#pick-value', '要素市场化');
    await site.page.click('#pick-run');
    await site.page.waitForSelector('#pick-result .xlsx-download', { timeout: 30_000 });
    await site.page.click('#pick-result .xlsx-download');
    await site.page.waitForSelector('#pick-result a.xlsx-file', { timeout: 30_000 });
    const bytes = await site.page.$eval('#pick-result a.xlsx-file', async (a) => [...new Uint8Array(await (await fetch((a as HTMLAnchorElement).href)).arrayBuffer())]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(bytes).buffer);
    const sheet = wb.worksheets[0];
    const header = (sheet.getRow(1).values as string[]).slice(1);
    const row = sheet.getRow(2);
    assert.equal(sheet.rowCount, 2);
    assert.equal(row.getCell(header.indexOf('title') + 1).value, plan().title);
    assert.ok(row.getCell(header.indexOf('published_at') + 1).value instanceof Date, 'a time is a date cell');
  });

  test('a query downloads as CSV built in the browser in the spreadsheet flavour: a cell holding a line break is quoted', async () => {
    const sql = "SELECT 'a' || chr(10) || 'b' AS text";
    await site.page.$eval('#sql-input', (e, v) => ((e as HTMLTextAreaElement).value = v), sql);
    await site.page.click('#sql-run');
    await site.page.waitForFunction((v) => document.querySelector('#sql-result')?.getAttribute('data-ready') === v, { timeout: 30_000 }, sql);
    const bytes = await site.page.$eval('#sql-result a.csv-download', async (a) => [...new Uint8Array(await (await fetch((a as HTMLAnchorElement).href)).arrayBuffer())]);
    assert.equal(Buffer.from(bytes).toString('utf8'), '\ufefftext\r\n"a\nb"\r\n');
  });

  test('an untitled post is listed as （无标题） with its source id, and its link opens its page', async () => {
    const untitled = doc((d) => d.source_id === '-202205262391921712');
    const links = await site.page.$$eval('#documents a', (as) => as.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    const link = links.find(([text]) => text === '（无标题） -202205262391921712');
    assert.ok(link, links.map(([t]) => t).join(' | '));
    assert.ok(link[1]!.endsWith(`docs/${untitled.doc_id}.html`));
    assert.equal(await status(link[1]!), 200);
  });

  test('opened from file:// with JavaScript on, the page says in words what needs a web host', async () => {
    const w = await open(pathToFileURL(join(ws.out, 'releases', releases[1], 'index.html')).href);
    await w.waitFor('#host-notice:not([hidden])', 10_000);
    assert.match(await w.page.$eval('#host-notice', (e) => e.textContent ?? ''), /zhengce serve/);
    assert.equal(await w.page.$eval('#document-count', (e) => e.textContent), String(docs.length));
    // Its failed module import from file:// is expected; it is not an error of the site.
    pages.splice(pages.indexOf(w), 1);
    await w.page.close();
  });

  test('a post made of markup and script payloads stays inert text on its page, in search results and in the feed', async () => {
    const h = hostile();
    const w = await open(`${serve.url}latest/docs/${h.doc_id}.html`);
    assert.equal(await w.page.$eval('#title', (e) => e.textContent), HOSTILE_TITLE);
    assert.equal(await w.page.$$eval('img, svg, script, iframe', (es) => es.length), 0);
    // The outline drops spaces between characters, as the provisions table holds the text.
    assert.match(await w.page.$eval('#outline', (e) => e.textContent ?? ''), /总体要求"><svgonload=alert\(6\)>/);
    assert.match(await w.page.$eval('#outline', (e) => e.textContent ?? ''), /<imgsrc=xonerror=alert\(7\)>]]>工作/);
    assert.match(await w.page.$eval('#metadata', (e) => e.textContent ?? ''), /javascript:alert\(4\)/);
    assert.equal(await w.page.$$eval('a[href^="javascript:"]', (as) => as.length), 0);
    await w.page.close();
    await site.page.$eval('#q', (e) => ((e as HTMLInputElement).value = 'onerror'));
    await site.page.click('#search-form button');
    await site.page.waitForFunction(() => document.querySelector('#search-results')?.getAttribute('data-ready') === 'onerror', { timeout: 10_000 });
    assert.ok((await site.page.$$eval('#search-results .result a', (as) => as.map((a) => a.textContent))).includes(h.title));
    assert.equal(await site.page.$$eval('#search-results img, #search-results svg, #search-results script', (es) => es.length), 0);
    assert.match(await site.page.$eval('#search-results', (e) => e.textContent ?? ''), /onerror/);
    const feed = await (await fetch(new URL('feed.xml', serve.url))).text();
    const entries = [new XMLParser().parse(feed).feed.entry].flat();
    const content = entries.map((e: { content: string }) => e.content).join('');
    assert.ok(content.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the title is escaped inside the entry HTML');
    // The home page's own lists (plans, timeline, what changed) hold the plan name as text too.
    assert.equal(await site.page.$$eval('main img, main svg, main iframe', (es) => es.length), 0);
    assert.ok((await site.page.$$eval('#plans a', (as) => as.map((a) => a.textContent))).some((t) => t?.includes('<img src=x onerror=alert(1)>')));
    assert.ok(!/<(img|svg|script)\b/i.test(content));
  });

  test('no console errors, no dialog, no request off the loopback; screenshots saved', async (t) => {
    assert.deepEqual(
      pages.flatMap((p) => [...p.errors, ...p.consoleLines.filter((l) => l.startsWith('error:'))]),
      [],
    );
    assert.deepEqual(
      pages.flatMap((p) => p.dialogs),
      [],
    );
    assert.deepEqual(
      pages.flatMap((p) => p.offLoopback),
      [],
    );
    const saved = (await readdir(screenshots)).filter((f) => !f.startsWith('failed-'));
    assert.deepEqual(saved.sort(), ['home.png', 'plan.png', 'timeline.png']);
    t.diagnostic(`screenshots: ${screenshots}; ${browser.version}`);
  });
});
