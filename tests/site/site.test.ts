// The release site in a real headless Chromium, against a real `zhengce serve` of a real pipeline's output.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { TABLES } from '../../src/core/tables.ts';
import { launchBrowser, openPage, type TestBrowser, type WatchedPage } from '../helpers/browser.ts';
import { makeWorkspace, ROOT, runCli, SAMPLE_POSTS, startServe } from '../helpers/cli.ts';

const PLAN_POST = join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md');
const REVISIONS = join(ROOT, 'tests', 'fixtures', 'revisions');

interface Pkg {
  version: string;
  resources: { x_table: string; format: string; rows: number; x_files: { path: string; bytes: number }[] }[];
}

describe('the release site', () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  let serve: { child: ChildProcess; url: string };
  let browser: TestBrowser;
  let pkg: Pkg;
  let release: string;
  let screenshots: string;
  const shots: string[] = [];
  const pages: WatchedPage[] = [];
  // One page for the interactive tests, moving by its own links: DuckDB-WASM starts once.
  let site: WatchedPage;

  before(async () => {
    ws = await makeWorkspace({ posts: [PLAN_POST, join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
    await copyFile(join(REVISIONS, 'gongsifa.v1.md'), join(ws.postsDir, 'gongsifa.md'));
    assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 0);
    await copyFile(join(REVISIONS, 'gongsifa.v2.md'), join(ws.postsDir, 'gongsifa.md'));
    assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 0);
    release = join(ws.out, 'latest');
    pkg = JSON.parse(await readFile(join(release, 'datapackage.json'), 'utf8')) as Pkg;
    serve = await startServe(ws.cwd, ws.file);
    screenshots = join(ws.cwd, 'screenshots');
    await mkdir(screenshots);
    browser = await launchBrowser();
    // Smoke check first: the page reaches ready within 20 s, or every test here fails at once with what it saw.
    site = await open(`${serve.url}latest/`);
    await site.waitFor('#app[data-ready="#"]', 20_000);
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

  async function shot(page: Page, name: string): Promise<void> {
    const file = join(screenshots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  }

  const docCount = () => pkg.resources.find((r) => r.x_table === 'documents' && r.format === 'csv')!.rows;

  test('index.html lists every file with its size, the CHANGELOG, the dictionary and the earlier release', async () => {
    const html = await readFile(join(release, 'index.html'), 'utf8');
    for (const r of pkg.resources) for (const f of r.x_files) assert.ok(html.includes(`href="${f.path}"`), `no link to ${f.path}`);
    for (const f of ['datapackage.json', 'views.sql']) assert.ok(html.includes(`href="${f}"`), `no link to ${f}`);
    for (const t of TABLES) for (const c of t.columns) assert.ok(html.includes(c.zh.replace(/[&<>"']/g, (x) => `&#${x.charCodeAt(0)};`)), `dictionary lacks ${t.name}.${c.name}`);
    const changelog = await readFile(join(release, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /^# /);
    assert.ok(html.includes(`<h1>${changelog.split('\n')[0].slice(2)}</h1>`), 'the CHANGELOG heading is rendered');
    const releases = (await readdir(join(ws.out, 'releases'))).sort();
    assert.equal(releases.length, 2);
    assert.ok(html.includes(`href="../${releases[0]}/index.html"`), 'links the earlier release');
    // Two releases, one copy of the site's assets: no release folder holds any of them.
    const inReleases = (await readdir(join(ws.out, 'releases'), { recursive: true })).filter((f) => /\.(wasm|js)$/.test(f));
    assert.deepEqual(inReleases, []);
    assert.ok(html.includes("'../../site/'"));
    // Only the page's own loader script: nothing from the posts runs.
    assert.equal(html.match(/<script/g)?.length, 1);
  });

  test('the page is readable from file:// with JavaScript off', async () => {
    const { page } = await open(pathToFileURL(join(ws.out, 'releases', pkg.version, 'index.html')).href, false);
    assert.equal(await page.$eval('#document-count', (e) => e.textContent), String(docCount()));
    assert.ok((await page.$$('#downloads a')).length > 10);
    await shot(page, 'static-file');
    await page.close();
  });

  async function home(): Promise<Page> {
    await site.page.evaluate(() => (location.hash = ''));
    await site.waitFor('#app[data-ready="#"]', 30_000);
    return site.page;
  }

  async function openDocument(page: Page, search: string): Promise<void> {
    await page.$eval('#search', (e) => ((e as HTMLInputElement).value = ''));
    await page.type('#search', search);
    await page.waitForFunction(() => /^1 documents/.test(document.querySelector('#match-count')?.textContent ?? ''), { timeout: 10_000 });
    await page.click('#documents tbody a');
    await site.waitFor('#app[data-ready^="#doc="]', 30_000);
  }

  test('the home page shows the document count and the 要素市场化 plan', async () => {
    const page = await home();
    const loaded = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
    assert.ok(loaded > 0 && loaded <= 2000, `the release page loaded in ${loaded} ms`);
    assert.equal(await page.$eval('#match-count', (e) => e.textContent), `${docCount()} documents 件`);
    assert.match(await page.$eval('#documents', (e) => e.textContent ?? ''), /要素市场化配置综合改革试点总体方案/);
    // Seen through latest/, the link to the earlier release still reaches its page.
    assert.deepEqual(await page.$$eval('#earlier a', (as) => Promise.all(as.map(async (a) => (await fetch((a as HTMLAnchorElement).href)).status))), [200]);
    // The timeline is drawn: its canvas differs from a blank one of the same size.
    const drawn = await page.$eval('#timeline-chart', (c) => {
      const canvas = c as HTMLCanvasElement;
      const blank = Object.assign(document.createElement('canvas'), { width: canvas.width, height: canvas.height });
      return canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
    });
    assert.ok(drawn, 'the milestone chart is drawn');
    await shot(page, 'home');
  });

  test('searching 要素市场化 finds the plan; its page shows the 10 level-1 headings and 4 principles', async () => {
    const page = await home();
    await openDocument(page, '要素市场化');
    assert.equal((await page.$$('#outline li.level-1')).length, 10);
    assert.equal((await page.$$('#principles > li')).length, 4);
    await shot(page, 'document-plan');
  });

  test('the revised 公司法 shows its redlines as an inline diff', async () => {
    const page = await home();
    await openDocument(page, '公司法');
    const redlines = pkg.resources.find((r) => r.x_table === 'redlines' && r.format === 'csv')!.rows;
    assert.ok(redlines > 0);
    assert.equal((await page.$$('#redlines .change')).length, redlines);
    assert.ok((await page.$$('#redlines ins')).length > 0 && (await page.$$('#redlines del')).length > 0);
    await shot(page, 'document-redlines');
  });

  test('the SQL console counts provisions, and its CSV download starts with a BOM', async () => {
    const page = await home();
    await page.$eval('#sql-input', (e) => ((e as HTMLTextAreaElement).value = 'SELECT count(*) AS n FROM provisions'));
    await page.click('#sql-run');
    await page.waitForSelector('#sql-result table', { timeout: 30_000 });
    const provisions = pkg.resources.find((r) => r.x_table === 'provisions' && r.format === 'csv')!.rows;
    assert.equal(await page.$eval('#sql-result tbody td', (e) => e.textContent), String(provisions));
    const head = await page.$eval('#sql-result a.csv-download', async (a) => [...new Uint8Array(await (await fetch((a as HTMLAnchorElement).href)).arrayBuffer())]);
    assert.deepEqual(head.slice(0, 3), [0xef, 0xbb, 0xbf]);
    assert.equal(new TextDecoder().decode(new Uint8Array(head.slice(3))), `n\r\n${provisions}\r\n`);
    await shot(page, 'sql');
  });

  test('a filtered selection of a table downloads as CSV holding only its rows', async () => {
    const page = await home();
    await page.select('#pick-table', 'documents');
    await page.select('#pick-column', 'title');
    await page.type('#pick-value', '公司法');
    await page.click('#pick-run');
    await page.waitForSelector('#pick-result a.csv-download', { timeout: 30_000 });
    const text = await page.$eval('#pick-result a.csv-download', async (a) => (await fetch((a as HTMLAnchorElement).href)).text());
    const lines = text.trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1], /公司法/);
  });

  test('no console errors, no request off the loopback, screenshots saved', (t) => {
    assert.deepEqual(pages.flatMap((p) => [...p.errors, ...p.consoleLines.filter((l) => l.startsWith('error:'))]), []);
    assert.deepEqual(pages.flatMap((p) => p.offLoopback), []);
    assert.ok(shots.length >= 5);
    t.diagnostic(`screenshots: ${screenshots}; ${browser.version}`);
  });
});
