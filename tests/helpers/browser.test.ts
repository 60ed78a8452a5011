// The site tests' browser keeps every request off the network without intercepting any: a page and a
// worker that try other hosts are refused, and each attempt is recorded.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchBrowser, openPage } from './browser.ts';

const PAGE = `<!doctype html><div id="app"></div><script>
const worker = new Worker('worker.js');
worker.onmessage = (e) => { document.getElementById('app').dataset.ready = e.data; };
fetch('http://zhengce-test.invalid/page').catch(() => {});
</script>`;
const WORKER = `Promise.allSettled([fetch('https://203.0.113.7/worker'), fetch('http://127.0.0.1:' + location.port + '/ok')])
  .then((r) => postMessage(r.map((x) => x.status).join(',')));`;

test('requests off the loopback, from a page or its worker, are refused and recorded; loopback ones go through', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
    else if (req.url === '/ok') res.writeHead(200).end('ok');
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  try {
    const w = await openPage(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { screenshots: await mkdtemp(join(tmpdir(), 'zhengce-browser-')) });
    await w.waitFor('#app[data-ready]', 20_000);
    assert.equal(await w.page.$eval('#app', (e) => e.getAttribute('data-ready')), 'rejected,fulfilled');
    // The page records its own and its worker's requests; the proxy shows Chromium sent them nowhere else.
    assert.deepEqual(w.offLoopback.sort(), ['GET http://zhengce-test.invalid/page', 'GET https://203.0.113.7/worker']);
    assert.ok(browser.refused.includes('CONNECT 203.0.113.7:443'), `the worker's request was refused: ${browser.refused}`);
    assert.ok(
      browser.refused.some((r) => r.includes('zhengce-test.invalid/page')),
      `the page's request was refused: ${browser.refused}`,
    );
    assert.match(browser.version, /Chrom/);
  } finally {
    await browser.close();
    server.close();
  }
});

test('a wait that gives up says what the page saw', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/missing.js') res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><div id="app"></div><script>console.error('boom 42')</script><script src="missing.js"></script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  const screenshots = await mkdtemp(join(tmpdir(), 'zhengce-browser-'));
  try {
    const w = await openPage(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { screenshots });
    await assert.rejects(w.waitFor('#app[data-ready]', 500), (e: Error) => {
      assert.match(e.message, /waiting 0\.5 s for #app\[data-ready\] failed/);
      assert.match(e.message, /browser: .*Chrom/);
      assert.match(e.message, /error: boom 42/);
      assert.match(e.message, /404 http:\/\/127\.0\.0\.1:\d+\/missing\.js/);
      assert.match(e.message, new RegExp(`screenshot: ${screenshots}/failed-\\d+\\.png`));
      return true;
    });
  } finally {
    await browser.close();
    server.close();
  }
});
