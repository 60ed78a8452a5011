import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { decodeBody } from '../../src/core/charset.ts';
import { silentLogger, type Clock } from '../../src/core/effects.ts';
import type { SourceContext, SourceEvent } from '../../src/core/source.ts';
import type { FeedSourceOptions } from '../../src/sources/feed.ts';
import { feedSource, jekyllDate, parseFeed } from '../../src/sources/feed-fetch.ts';
import {
  atomFeed,
  encodeGbk,
  fixtureFiles,
  revisionsOf,
  rssFeed,
  runSource,
  splitJekyllPost,
  startTestServer,
  useServerAndRawDir,
  testHttpOptions,
  type FeedEntry,
  type TestServer,
} from '../helpers/server.ts';

const clock: Clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const FINEWS = ['2022-01-06-202201062238656632', '2021-12-08-202112082206885192', '2021-12-08-202112082207168450'];

/** Feed entries made from real finews posts, the way jekyll-feed renders them. */
function finewsEntries(origin: string): FeedEntry[] {
  const files = fixtureFiles();
  return FINEWS.map((name) => {
    const post = splitJekyllPost(files.get(`_posts/${name}.md`)!.bytes.toString('utf8'));
    const [day, time, offset] = post.date.split(' ');
    const link = `${origin}/${post.categories}/${day.replaceAll('-', '/')}/${name.slice(11)}.html`;
    return { id: link, link, title: post.title, date: `${day}T${time}${offset.slice(0, 3)}:${offset.slice(3)}`, categories: [post.categories], html: post.html };
  });
}

const posts = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'post' ? [e.post] : []));
const failures = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'failed' ? [e] : []));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('feed source', () => {
  let server: TestServer;
  let rawDir: string;
  const ctx = (more: Partial<SourceContext> = {}): SourceContext => ({ previous: new Map(), cursor: null, rawDir, clock, logger: silentLogger, ...more });
  const options = (path: string, more: Partial<FeedSourceOptions> = {}): FeedSourceOptions => ({ type: 'feed', url: `${server.origin}${path}`, hosts: [], http: testHttpOptions(), ...more });
  const serveXml = (path: string, xml: string | Buffer, contentType = 'application/atom+xml; charset=utf-8') =>
    server.routes.set(path, { bytes: Buffer.isBuffer(xml) ? xml : Buffer.from(xml), contentType, lastModified: 'Thu, 06 Jan 2022 07:04:39 GMT' });

  useServerAndRawDir(
    (s) => (server = s),
    (d) => (rawDir = d),
  );

  it('turns each Atom entry (jekyll-feed shape) into a Jekyll post keyed by its id', async () => {
    const entries = finewsEntries(server.origin);
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    const { events, summary } = await runSource(feedSource(options('/feed.xml')), ctx());
    assert.deepEqual(failures(events), []);
    const got = posts(events);
    assert.deepEqual(
      got.map((p) => p.sourceId),
      entries.map((e) => e.id),
    );
    const plan = got[0];
    assert.equal(plan.source, `feed:${new URL(server.origin).host}`);
    assert.equal(plan.url, entries[0].link);
    assert.equal(plan.contentType, 'text/markdown; charset=utf-8');
    const body = text(plan.bytes);
    assert.ok(
      body.startsWith('---\nlayout: post\ntitle: "国办印发要素市场化配置综合改革试点总体方案"\ndate: 2022-01-06 15:04:39 +0800\ncategories: ["zhongguozhengfuwang"]\ntags: []\n---\n'),
      body.slice(0, 200),
    );
    assert.ok(body.includes(entries[0].html!.trim()), 'the HTML comes through unchanged');
    assert.ok(body.endsWith(`\n<${entries[0].link}>`));
    assert.equal(server.requests.length, 1, 'items with content need no further request');
    assert.match(summary.cursor!, /last_modified/);
  });

  it('reads RSS 2.0 too: guid, pubDate, CDATA description, numeric character references', async () => {
    const entries = finewsEntries(server.origin).map((e) => ({ ...e, id: `guid-${e.id.slice(-23)}`, date: 'Thu, 06 Jan 2022 15:04:39 +0800' }));
    serveXml('/rss.xml', rssFeed(entries).replace('<title>国办印发', '<title>&#22269;&#x529E;印发'), 'application/rss+xml');
    const { events } = await runSource(feedSource(options('/rss.xml')), ctx());
    const got = posts(events);
    assert.deepEqual(
      got.map((p) => p.sourceId),
      entries.map((e) => e.id),
    );
    assert.match(text(got[0].bytes), /^---\nlayout: post\ntitle: "国办印发要素市场化配置综合改革试点总体方案"\ndate: 2022-01-06 15:04:39 \+0800\n/);
  });

  it('a rerun asks "changed since?" and ends at a 304 with nothing new', async () => {
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, finewsEntries(server.origin)));
    const first = await runSource(feedSource(options('/feed.xml')), ctx());
    server.requests.length = 0;
    const second = await runSource(feedSource(options('/feed.xml')), ctx({ cursor: first.summary.cursor, previous: revisionsOf(first.events) }));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].headers['if-modified-since'], 'Thu, 06 Jan 2022 07:04:39 GMT');
    assert.deepEqual(second.events, []);
    assert.equal(second.summary.notModified, true);
  });

  it('reports items whose HTML did not change as unchanged', async () => {
    const entries = finewsEntries(server.origin);
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    const first = await runSource(feedSource(options('/feed.xml')), ctx());
    entries[1] = { ...entries[1], html: `${entries[1].html}<p>更正</p>` };
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    const second = await runSource(feedSource(options('/feed.xml')), ctx({ previous: revisionsOf(first.events) }));
    assert.deepEqual(
      second.events.map((e) => e.kind),
      ['unchanged', 'post', 'unchanged'],
    );
  });

  it('follows an item without content only to allowed hosts', async () => {
    const page = fixtureFiles().get('pages/govcn-2018-12-03-content_5345407.html')!;
    server.routes.set('/pages/5345407.html', page);
    server.routes.set('/pages/elsewhere.html', page);
    const elsewhere = `http://localhost:${new URL(server.origin).port}/pages/elsewhere.html`;
    const entries: FeedEntry[] = [
      { id: 'own-host', link: `${server.origin}/pages/5345407.html`, title: '国务院关于…' },
      { id: 'unlisted-host', link: elsewhere, title: '别处' },
      { ...finewsEntries(server.origin)[0], id: 'content-links-elsewhere', link: elsewhere },
    ];
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    const { events } = await runSource(feedSource(options('/feed.xml')), ctx());
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/feed.xml', '/pages/5345407.html'],
    );
    const [linked, inline] = posts(events);
    assert.equal(linked.sourceId, 'own-host');
    assert.deepEqual(Buffer.from(linked.bytes), page.bytes);
    assert.equal(linked.contentType, page.contentType);
    assert.equal(inline.sourceId, 'content-links-elsewhere');
    const [refused] = failures(events);
    assert.equal(refused.error.sourceId, 'unlisted-host');
    assert.equal(refused.url, elsewhere);
    assert.match(refused.error.message, /neither the feed's origin \(http:\/\/127\.0\.0\.1:\d+\) nor a host in source\.hosts \(list "localhost:\d+" there to allow it\); not followed/);

    server.requests.length = 0;
    const allowed = await runSource(feedSource(options('/feed.xml', { hosts: [`localhost:${new URL(server.origin).port}`] })), ctx());
    assert.deepEqual(failures(allowed.events), []);
    assert.ok(server.requests.some((r) => r.path === '/pages/elsewhere.html'));
  });

  describe('with a second server on another port of the same host', () => {
    let other: TestServer;
    before(async () => (other = await startTestServer()));
    after(() => other.close());

    it("follows a link only on the feed's origin, or on a host:port listed in hosts", async () => {
      const page = fixtureFiles().get('pages/govcn-2018-12-03-content_5345407.html')!;
      other.reset();
      other.routes.set('/pages/5345407.html', page);
      const otherPort = new URL(other.origin).port;
      serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, [{ id: 'other-port', link: `${other.origin}/pages/5345407.html`, title: '国务院关于…' }]));

      for (const hosts of [[], ['127.0.0.1']]) {
        const { events } = await runSource(feedSource(options('/feed.xml', { hosts })), ctx());
        assert.deepEqual(posts(events), [], `hosts ${JSON.stringify(hosts)}`);
        const [refused] = failures(events);
        assert.equal(refused.error.sourceId, 'other-port');
        assert.match(
          refused.error.message,
          new RegExp(
            `links to http://127\\.0\\.0\\.1:${otherPort}, which is neither the feed's origin \\(${server.origin.replaceAll('.', '\\.')}\\) nor a host in source\\.hosts \\(list "127\\.0\\.0\\.1:${otherPort}" there to allow it\\); not followed`,
          ),
        );
      }
      assert.equal(other.requests.length, 0, 'the other port was never asked');

      const { events } = await runSource(feedSource(options('/feed.xml', { hosts: [`127.0.0.1:${otherPort}`] })), ctx());
      assert.deepEqual(failures(events), []);
      assert.deepEqual(Buffer.from(posts(events)[0].bytes), page.bytes);
      assert.deepEqual(
        other.requests.map((r) => r.path),
        ['/pages/5345407.html'],
      );
    });
  });

  it('never follows an http link from an https feed, even to its own host or a listed one', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const entries: FeedEntry[] = [
      { id: 'downgrade', link: 'http://feed.test/a.html', title: 'a' },
      { id: 'other-port', link: 'https://feed.test:8443/b.html', title: 'b' },
      { id: 'same-origin', link: 'https://feed.test/c.html', title: 'c' },
    ];
    agent
      .get('https://feed.test')
      .intercept({ path: '/feed.xml' })
      .reply(200, atomFeed('https://feed.test/feed.xml', entries), { headers: { 'content-type': 'application/atom+xml' } });
    agent
      .get('https://feed.test')
      .intercept({ path: '/c.html' })
      .reply(200, '<p>c</p>', { headers: { 'content-type': 'text/html' } });
    try {
      const source = feedSource({ type: 'feed', url: 'https://feed.test/feed.xml', hosts: ['feed.test'], http: testHttpOptions() }, { dispatcher: agent });
      const { events } = await runSource(source, ctx());
      assert.deepEqual(
        posts(events).map((p) => p.sourceId),
        ['same-origin'],
      );
      const refused = failures(events).map((f) => [f.error.sourceId, f.error.message]);
      assert.deepEqual(refused, [
        ['downgrade', 'feed item "downgrade" has no content and links to http://feed.test/a.html over plain http from an https feed; not followed'],
        [
          'other-port',
          'feed item "other-port" has no content and links to https://feed.test:8443, which is neither the feed\'s origin (https://feed.test) nor a host in source.hosts (list "feed.test:8443" there to allow it); not followed',
        ],
      ]);
    } finally {
      await agent.close();
    }
  });

  it('fails the run, naming the feed, http.response_timeout_ms and what to do, when the feed drips', async () => {
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, finewsEntries(server.origin)));
    server.faults = () => ({ kind: 'drip', everyMs: 100 });
    const started = Date.now();
    await assert.rejects(
      runSource(feedSource(options('/feed.xml', { http: testHttpOptions({ response_timeout_ms: 600 }) })), ctx()),
      /^SourceUnavailableError: cannot read the feed http:\/\/127\.0\.0\.1:\d+\/feed\.xml: GET \S+: no complete answer within 600 ms \(http\.response_timeout_ms, which counts every attempt and the waits between them\) after 1 attempt; raise http\.response_timeout_ms .*; check source\.url in the pipeline or rerun later$/,
    );
    assert.ok(Date.now() - started < 2000, `the run took ${Date.now() - started} ms`);
  });

  it('holds linked pages within http.max_bytes_in_flight, and all arrive, changed or not', { timeout: 20_000 }, async () => {
    const page = fixtureFiles().get('pages/govcn-2018-12-03-content_5345407.html')!;
    const entries: FeedEntry[] = Array.from({ length: 6 }, (_, i) => ({ id: `page-${i}`, link: `${server.origin}/pages/${i}.html`, title: `${i}` }));
    for (const e of entries) server.routes.set(new URL(e.link!).pathname, page);
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    server.faults = ({ path }) => (path.startsWith('/pages/') ? { kind: 'delay', ms: 50 } : null);
    const http = testHttpOptions({ max_response_bytes: page.bytes.length + 1000, max_bytes_in_flight: 2 * (page.bytes.length + 1000) });
    const { events } = await runSource(feedSource(options('/feed.xml', { http })), ctx());
    assert.deepEqual(
      posts(events).map((p) => p.sourceId),
      entries.map((e) => e.id),
    );
    assert.ok(server.peakOpenBytes <= 2 * page.bytes.length + 1, `${server.peakOpenBytes} bytes of pages were open at once`);
    // Pages found unchanged must give their share back too, or this rerun would stop after two of them.
    const rerun = await runSource(feedSource(options('/feed.xml', { http })), ctx({ previous: revisionsOf(events) }));
    assert.deepEqual(
      rerun.events.map((e) => e.kind),
      entries.map(() => 'unchanged'),
    );
  });

  it('decodes a GBK feed declared only in its XML declaration', async () => {
    const entries = finewsEntries(server.origin).slice(1);
    const xml = atomFeed(`${server.origin}/feed.xml`, entries).replace('encoding="utf-8"', 'encoding="GBK"');
    serveXml('/gbk.xml', encodeGbk(xml), 'application/atom+xml');
    const { events } = await runSource(feedSource(options('/gbk.xml')), ctx());
    const [first] = posts(events);
    assert.ok(text(first.bytes).includes(entries[0].title));
    assert.equal(decodeBody(first.bytes, first.contentType).text.includes(entries[0].html!.trim()), true);
  });

  it('throws, naming the feed url and what to do, when the feed is down or not a feed', async () => {
    server.faults = () => ({ kind: 'status', status: 502 });
    await assert.rejects(
      runSource(feedSource(options('/feed.xml', { http: testHttpOptions({ retries: 1 }) })), ctx()),
      /cannot read the feed http:\/\/127\.0\.0\.1:\d+\/feed\.xml: .*HTTP 502 after 2 attempts; check source\.url in the pipeline or rerun later/,
    );
    server.faults = null;
    serveXml('/page.xml', '<html><body>hello</body></html>');
    await assert.rejects(runSource(feedSource(options('/page.xml')), ctx()), /neither an RSS 2\.0 \(<rss>\) nor an Atom \(<feed>\) document/);
  });

  it('keeps the feed offset when writing Jekyll dates', () => {
    assert.equal(jekyllDate('2022-01-06T15:04:39+08:00'), '2022-01-06 15:04:39 +0800');
    assert.equal(jekyllDate('Thu, 06 Jan 2022 15:04:39 +0800'), '2022-01-06 15:04:39 +0800');
    assert.equal(jekyllDate('Thu, 06 Jan 2022 07:04:39 GMT'), '2022-01-06 07:04:39 +0000');
    assert.equal(jekyllDate('2022-01-06T07:04:39'), '2022-01-06 07:04:39 +0000');
    assert.equal(jekyllDate('not a date'), null);
  });

  it('marks Atom xhtml content as unreadable instead of guessing', () => {
    const [item] = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><content type="xhtml"><div><p>a</p></div></content></entry></feed>', 'http://h/feed.xml');
    assert.equal(item.html, null);
    assert.match(item.unreadable!, /xhtml/);
  });
});
