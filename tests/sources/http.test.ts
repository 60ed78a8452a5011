import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { silentLogger } from '../../src/core/effects.ts';
import { ByteBudget, conditionalHeaders, createHttpClient, fetchInOrder, HttpError, listingCursor, parseRetryAfter, type HttpOptions } from '../../src/sources/http.ts';
import { capturingLogger, gzip, startTestServer, testHttpOptions, type TestServer } from '../helpers/server.ts';

async function getWith(server: TestServer, path: string, options: Partial<HttpOptions> = {}) {
  const http = createHttpClient(testHttpOptions(options), { logger: silentLogger });
  try {
    return await http.get(`${server.origin}${path}`);
  } finally {
    await http.close();
  }
}

const page = (text: string) => ({ bytes: Buffer.from(text), contentType: 'text/html; charset=utf-8' });

describe('http client', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('names zhengce in its User-Agent, asks for compression and undoes it', async () => {
    const text = '<p>国办印发要素市场化配置综合改革试点总体方案</p>'.repeat(50);
    server.routes.set('/gz', { ...page(text), gzip: gzip(Buffer.from(text)) });
    const response = await getWith(server, '/gz');
    assert.equal(Buffer.from(response.bytes).toString('utf8'), text);
    assert.equal(response.contentEncoding, 'gzip');
    assert.match(String(server.requests[0].headers['user-agent']), /^zhengce\/\d/);
    assert.match(String(server.requests[0].headers['accept-encoding']), /gzip/);
  });

  it('refuses a compressed bomb: the decoded size is capped too', async () => {
    const bomb = Buffer.alloc(8 * 1024 * 1024);
    server.routes.set('/bomb', { bytes: bomb, contentType: 'text/html', gzip: gzip(bomb) });
    assert.ok(gzip(bomb).length < 1024 * 1024);
    await assert.rejects(getWith(server, '/bomb'), (err: HttpError) => err instanceof HttpError && /decompresses to more than 1048576 bytes/.test(err.message));
  });

  it('refuses an oversized body, announced or streamed', async () => {
    server.routes.set('/big', page('x'.repeat(2 * 1024 * 1024)));
    server.routes.set('/big-chunked', { ...page('x'.repeat(2 * 1024 * 1024)), chunked: true });
    await assert.rejects(getWith(server, '/big'), /\/big: the body is 2097152 bytes, over the limit of 1048576 \(http.max_response_bytes\)/);
    await assert.rejects(getWith(server, '/big-chunked'), /\/big-chunked: the body is larger than 1048576 bytes \(http.max_response_bytes\)/);
    assert.equal(server.requests.length, 2, 'a size refusal is not retried');
  });

  it('retries 503s and connection resets with backoff, then succeeds', async () => {
    server.routes.set('/flaky', page('ok'));
    server.faults = ({ attempt }) => (attempt === 0 ? { kind: 'status', status: 503 } : attempt === 1 ? { kind: 'reset' } : null);
    const logger = capturingLogger();
    const http = createHttpClient(testHttpOptions(), { logger });
    const response = await http.get(`${server.origin}/flaky`);
    await http.close();
    assert.equal(response.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.equal(logger.lines.filter((l) => l.includes('retrying request')).length, 2);
  });

  it('honours Retry-After given as an HTTP date, and holds back the whole host meanwhile', async () => {
    server.routes.set('/a', page('a'));
    server.routes.set('/b', page('b'));
    const until = new Date(Date.now() + 2000).toUTCString(); // HTTP dates have whole seconds: 1-2 s from now
    server.faults = ({ path, attempt }) => (path === '/a' && attempt === 0 ? { kind: 'status', status: 503, retryAfter: until } : null);
    const http = createHttpClient(testHttpOptions({ max_retry_delay_ms: 5000 }), { logger: silentLogger });
    const a = http.get(`${server.origin}/a`);
    await new Promise((done) => setTimeout(done, 100));
    await Promise.all([a, http.get(`${server.origin}/b`)]);
    await http.close();
    const [first, ...later] = server.requests;
    assert.equal(first.path, '/a');
    assert.deepEqual(later.map((r) => r.path).sort(), ['/a', '/b']);
    for (const r of later) assert.ok(r.at - first.at >= 900, `${r.path} was sent ${r.at - first.at} ms after the 503`);
  });

  it('fails at once when Retry-After asks for longer than max_retry_delay_ms', async () => {
    server.routes.set('/later', page('x'));
    server.faults = () => ({ kind: 'status', status: 429, retryAfter: '3600' });
    await assert.rejects(getWith(server, '/later'), /asked to retry after 3600 s, longer than http.max_retry_delay_ms/);
    assert.equal(server.requests.length, 1);
  });

  it('retries a slow answer past headers_timeout_ms, and says so when it stays slow', async () => {
    // undici checks headers timeouts on a coarse (~0.5-1 s) clock, so the slow answers take 2 s.
    server.routes.set('/slow', page('late'));
    server.faults = ({ attempt }) => (attempt === 0 ? { kind: 'delay', ms: 2000 } : null);
    const response = await getWith(server, '/slow', { headers_timeout_ms: 100 });
    assert.equal(response.attempts, 2);
    server.reset();
    server.routes.set('/slow', page('late'));
    server.faults = () => ({ kind: 'delay', ms: 2000 });
    await assert.rejects(getWith(server, '/slow', { headers_timeout_ms: 100, retries: 0 }), /no answer within http.headers_timeout_ms after 1 attempt$/);
  });

  it('ends a body that drips within http.response_timeout_ms, naming the url, the deadline and the key', async () => {
    // One byte every 100 ms never trips body_timeout_ms (a pause between chunks); only a total deadline ends it.
    server.routes.set('/drip', page('x'.repeat(200)));
    server.faults = () => ({ kind: 'drip', everyMs: 100 });
    const started = Date.now();
    await assert.rejects(
      getWith(server, '/drip', { response_timeout_ms: 600, body_timeout_ms: 2000 }),
      (err: HttpError) =>
        err instanceof HttpError &&
        /\/drip: no complete answer within 600 ms \(http\.response_timeout_ms, which counts every attempt and the waits between them\) after 1 attempt; raise http\.response_timeout_ms/.test(
          err.message,
        ),
    );
    const took = Date.now() - started;
    assert.ok(took >= 550 && took < 1500, `the request ended after ${took} ms`);
    assert.equal(server.requests.length, 1, 'a request past its deadline is not retried');
    await new Promise((done) => setTimeout(done, 50));
    assert.equal(server.openBytes, 0, 'the dripping connection was closed');
  });

  it('counts retries and their waits inside http.response_timeout_ms', async () => {
    // Each attempt answers 503 asking for a 1.5 s wait: the deadline ends the request during the first wait, not after it.
    server.routes.set('/busy', page('busy'));
    server.faults = () => ({ kind: 'status', status: 503, retryAfter: '1.5' });
    const started = Date.now();
    await assert.rejects(getWith(server, '/busy', { response_timeout_ms: 700, retries: 4 }), /\/busy: no complete answer within 700 ms .* after 1 attempt;/);
    const took = Date.now() - started;
    assert.ok(took < 1200, `the request ended after ${took} ms`);
    await new Promise((done) => setTimeout(done, 1500));
    assert.equal(server.requests.length, 1, 'no attempt starts after the deadline');
  });

  it('spaces requests to one host at the rate limit', async () => {
    server.routes.set('/r', page('r'));
    const http = createHttpClient(testHttpOptions({ rate_limit: 20 }), { logger: silentLogger });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => http.get(`${server.origin}/r`)));
    await http.close();
    assert.ok(Date.now() - started >= 240, `6 requests at 20/s took ${Date.now() - started} ms`);
  });

  it('turns a 304 into an empty answer and keeps validators as a cursor for the same url only', async () => {
    server.routes.set('/feed.xml', { ...page('<feed/>'), lastModified: 'Thu, 06 Jan 2022 07:04:39 GMT' });
    const http = createHttpClient(testHttpOptions(), { logger: silentLogger });
    const url = `${server.origin}/feed.xml`;
    const first = await http.get(url);
    const cursor = listingCursor(first);
    const second = await http.get(url, conditionalHeaders(cursor, url));
    await http.close();
    assert.equal(second.status, 304);
    assert.equal(second.bytes.length, 0);
    assert.equal(server.requests[1].headers['if-modified-since'], 'Thu, 06 Jan 2022 07:04:39 GMT');
    assert.ok(server.requests[1].headers['if-none-match']);
    assert.deepEqual(conditionalHeaders(cursor, `${server.origin}/other.xml`), {});
    assert.deepEqual(conditionalHeaders('not json', url), {});
  });
});

describe('http client, narrow unit checks', () => {
  it('treats a body whose length differs from Content-Length as a failed transfer', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('http://upstream.test')
      .intercept({ path: '/short' })
      .reply(200, 'only this', { headers: { 'content-length': '100' } });
    const http = createHttpClient(testHttpOptions(), { logger: silentLogger, dispatcher: agent });
    await assert.rejects(http.get('http://upstream.test/short'), /received 9 bytes but Content-Length said 100/);
    await agent.close();
  });

  it('reads Retry-After in seconds or as a date', () => {
    const now = Date.parse('2026-01-02T03:04:05Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('Fri, 02 Jan 2026 03:04:15 GMT', now), 10_000);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter(undefined, now), null);
  });

  it('ByteBudget grants shares in the order asked, frees what shrink and release give back, and cuts an oversized share to the whole', async () => {
    const budget = new ByteBudget(100);
    const granted: string[] = [];
    const ask = (name: string, bytes: number) => budget.reserve(bytes).then((r) => (granted.push(name), r));
    const a = await ask('a', 60);
    const b = ask('b', 60); // does not fit beside a
    const c = ask('c', 10); // would fit, but waits its turn behind b
    await new Promise((done) => setImmediate(done));
    assert.deepEqual(granted, ['a']);
    a.shrink(40);
    await new Promise((done) => setImmediate(done));
    assert.deepEqual(granted, ['a', 'b'], '40 + 60 fits; c (10) still waits');
    a.shrink(50); // a share never grows
    a.release();
    a.release(); // a second release frees nothing more
    await c;
    const huge = ask('huge', 1000);
    (await b).release();
    await new Promise((done) => setImmediate(done));
    assert.deepEqual(granted, ['a', 'b', 'c'], 'the oversized share waits until it is alone');
    (await c).release();
    (await huge).release();
    assert.deepEqual(granted, ['a', 'b', 'c', 'huge']);
  });

  it('fetchInOrder keeps input order and the concurrency bound', async () => {
    let inFlight = 0;
    let peak = 0;
    const results: number[] = [];
    const work = async (n: number) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((done) => setTimeout(done, (7 - n) * 3));
      inFlight--;
      return n;
    };
    for await (const n of fetchInOrder([1, 2, 3, 4, 5, 6], 3, work)) results.push(n);
    assert.deepEqual(results, [1, 2, 3, 4, 5, 6]);
    assert.equal(peak, 3);
  });
});
