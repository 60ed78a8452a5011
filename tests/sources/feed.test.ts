import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBody } from '../../src/core/charset.ts';
import { silentLogger, type Clock } from '../../src/core/effects.ts';
import type { SourceContext, SourceEvent } from '../../src/core/source.ts';
import { feedSource, jekyllDate, parseFeed, type FeedSourceOptions } from '../../src/sources/feed.ts';
import {
  atomFeed,
  encodeGbk,
  fixtureFiles,
  revisionsOf,
  rssFeed,
  runSource,
  splitJekyllPost,
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
  const options = (path: string, more: Partial<FeedSourceOptions> = {}): FeedSourceOptions => ({ url: `${server.origin}${path}`, hosts: [], http: testHttpOptions(), ...more });
  const serveXml = (path: string, xml: string | Buffer, contentType = 'application/atom+xml; charset=utf-8') =>
    server.routes.set(path, { bytes: Buffer.isBuffer(xml) ? xml : Buffer.from(xml), contentType, lastModified: 'Thu, 06 Jan 2022 07:04:39 GMT' });

  useServerAndRawDir((s) => (server = s), (d) => (rawDir = d));

  it('turns each Atom entry (jekyll-feed shape) into a Jekyll post keyed by its id', async () => {
    const entries = finewsEntries(server.origin);
    serveXml('/feed.xml', atomFeed(`${server.origin}/feed.xml`, entries));
    const { events, summary } = await runSource(feedSource(options('/feed.xml')), ctx());
    assert.deepEqual(failures(events), []);
    const got = posts(events);
    assert.deepEqual(got.map((p) => p.sourceId), entries.map((e) => e.id));
    const plan = got[0];
    assert.equal(plan.source, `feed:${new URL(server.origin).host}`);
    assert.equal(plan.url, entries[0].link);
    assert.equal(plan.contentType, 'text/markdown; charset=utf-8');
    const body = text(plan.bytes);
    assert.ok(body.startsWith('---\nlayout: post\ntitle: "国办印发要素市场化配置综合改革试点总体方案"\ndate: 2022-01-06 15:04:39 +0800\ncategories: ["zhongguozhengfuwang"]\ntags: []\n---\n'), body.slice(0, 200));
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
    assert.deepEqual(got.map((p) => p.sourceId), entries.map((e) => e.id));
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
    assert.deepEqual(server.requests.map((r) => r.path), ['/feed.xml', '/pages/5345407.html']);
    const [linked, inline] = posts(events);
    assert.equal(linked.sourceId, 'own-host');
    assert.deepEqual(Buffer.from(linked.bytes), page.bytes);
    assert.equal(linked.contentType, page.contentType);
    assert.equal(inline.sourceId, 'content-links-elsewhere');
    const [refused] = failures(events);
    assert.equal(refused.error.sourceId, 'unlisted-host');
    assert.equal(refused.url, elsewhere);
    assert.match(refused.error.message, /not in source.hosts; not followed/);

    server.requests.length = 0;
    const allowed = await runSource(feedSource(options('/feed.xml', { hosts: ['localhost'] })), ctx());
    assert.deepEqual(failures(allowed.events), []);
    assert.ok(server.requests.some((r) => r.path === '/pages/elsewhere.html'));
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
    await assert.rejects(runSource(feedSource(options('/feed.xml', { http: testHttpOptions({ retries: 1 }) })), ctx()), /cannot read the feed http:\/\/127\.0\.0\.1:\d+\/feed\.xml: .*HTTP 502 after 2 attempts\. Nothing was changed/);
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
