// A real headless Chromium for the site tests, kept off the network by Chromium itself (no request
// interception: intercepting every request stalled DuckDB-WASM's start in Chromium 156, issue #19),
// with pages that can say what they saw when a wait gives up.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';

/** The Chromium the set-up installs (scripts/setup-test-tools.sh); a missing browser fails the tests, never skips them. */
const CHROMIUM = process.env.ZHENGCE_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** `Chromium 156.0.…`, as the browser reports itself. */
  version: string;
  /** Every request that tried to leave the loopback and was refused, the browser's own services' included, as the proxy saw it. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * Starts Chromium with every non-loopback request sent to a proxy on the loopback that records and refuses it.
 * Chromium never sends loopback addresses through a proxy, so the site's own requests go direct; everything
 * else, from any page, worker or the browser's own services, reaches the recorder instead of the network.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup-test-tools.sh (as root it installs Debian's chromium) or set ZHENGCE_CHROMIUM`);
  const refused: string[] = [];
  const recorder: Server = createServer((req, res) => {
    refused.push(`${req.method} ${req.url}`);
    res.writeHead(403).end('tests are offline');
  });
  recorder.on('connect', (req, socket) => {
    refused.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const { port } = recorder.address() as AddressInfo;
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        `--proxy-server=http://127.0.0.1:${port}`,
      ],
    });
  } catch (e) {
    recorder.close();
    throw e;
  }
  const version = await browser.version();
  return {
    browser,
    version,
    refused,
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise((resolve) => recorder.close(resolve));
    },
  };
}

/** A page and what it saw: console lines, uncaught errors, failed and unanswered requests, HTTP errors. */
export interface WatchedPage {
  page: Page;
  /** Requests of the page and its workers to any host but the loopback (each refused by the browser's proxy). */
  offLoopback: string[];
  consoleLines: string[];
  errors: string[];
  failedRequests: string[];
  httpErrors: string[];
  pending: Set<HTTPRequest>;
  /** Messages of every alert, confirm or prompt the page opened (each dismissed): a page that runs a post's payload opens one. */
  dialogs: string[];
  /** Waits for `selector`; on time-out, fails with what the page saw and a screenshot. */
  waitFor(selector: string, timeoutMs: number): Promise<void>;
}

const LAST = 20;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function openPage(tb: TestBrowser, url: string, options: { javascript?: boolean; screenshots: string }): Promise<WatchedPage> {
  const page = await tb.browser.newPage();
  const w: WatchedPage = {
    page,
    offLoopback: [],
    consoleLines: [],
    errors: [],
    failedRequests: [],
    httpErrors: [],
    pending: new Set(),
    dialogs: [],
    async waitFor(selector, timeoutMs) {
      try {
        await page.waitForSelector(selector, { timeout: timeoutMs });
      } catch (e) {
        throw new Error(await report(tb, w, `waiting ${timeoutMs / 1000} s for ${selector} failed (${(e as Error).message})`, options.screenshots));
      }
    },
  };
  page.on('console', (m) => w.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => w.errors.push((e as Error).message));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => undefined);
  });
  page.on('request', (r) => {
    w.pending.add(r);
    const u = new URL(r.url());
    if (/^(https?|wss?):$/.test(u.protocol) && !LOOPBACK.has(u.hostname)) w.offLoopback.push(`${r.method()} ${r.url()}`);
  });
  page.on('requestfinished', (r) => w.pending.delete(r));
  page.on('requestfailed', (r) => {
    w.pending.delete(r);
    w.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) w.httpErrors.push(`${r.status()} ${r.url()}`);
  });
  await page.setJavaScriptEnabled(options.javascript ?? true);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  return w;
}

/** Everything a failed wait can tell: the browser, the page's console, its requests, and a screenshot. */
async function report(tb: TestBrowser, w: WatchedPage, what: string, screenshots: string): Promise<string> {
  const file = join(screenshots, `failed-${Date.now()}.png`);
  const shot = await w.page.screenshot({ path: file, fullPage: true }).then(
    () => file,
    (e: Error) => `none (${e.message})`,
  );
  const state = await w.page
    .evaluate(() => ({ url: location.href, ready: document.querySelector('#app')?.getAttribute('data-ready') ?? null, status: document.querySelector('#site-status')?.textContent ?? null }))
    .catch((e: Error) => ({ url: w.page.url(), ready: null, status: `page not readable: ${e.message}` }));
  const list = (name: string, items: string[]) => `${name} (${items.length}):${items.length ? '\n    ' + items.slice(-LAST).join('\n    ') : ' none'}`;
  return [
    what,
    `  browser: ${tb.version} (${CHROMIUM})`,
    `  page: ${state.url}, #app data-ready=${JSON.stringify(state.ready)}, #site-status=${JSON.stringify(state.status)}`,
    `  ${list('console', w.consoleLines)}`,
    `  ${list('page errors', w.errors)}`,
    `  ${list('failed requests', w.failedRequests)}`,
    `  ${list('HTTP errors', w.httpErrors)}`,
    `  ${list(
      'requests still pending',
      [...w.pending].map((r) => `${r.method()} ${r.url()}`),
    )}`,
    `  ${list("the page's requests off the loopback", w.offLoopback)}`,
    `  ${list('requests the browser refused (its own services included)', tb.refused)}`,
    `  screenshot: ${shot}`,
  ].join('\n');
}
