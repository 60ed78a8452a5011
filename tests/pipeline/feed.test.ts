import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { atomFeed, startTestServer, type TestServer } from '../helpers/server.ts';

describe('zhengce run over a feed (loopback server)', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  test('a feed that drips one byte at a time fails the run (exit 1) within http.response_timeout_ms, naming the feed and the key', async () => {
    const url = `${server.origin}/feed.xml`;
    server.routes.set('/feed.xml', { bytes: Buffer.from(atomFeed(url, [{ id: 'a', title: 'a', html: '<p>国务院</p>' }])), contentType: 'application/atom+xml' });
    server.faults = () => ({ kind: 'drip', everyMs: 100 });
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-feed-'));
    const file = join(cwd, 'feed.yaml');
    await writeFile(file, `id: feed\nsource:\n  type: feed\n  url: ${url}\n  http: {rate_limit: 1000, body_timeout_ms: 3000, response_timeout_ms: 800}\n`);
    const started = Date.now();
    const r = await runCli(['run', file], cwd);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`cannot read the feed ${url.replaceAll('.', '\\.')}: .*no complete answer within 800 ms \\(http\\.response_timeout_ms`));
    // A source that cannot be read at all: the run names the pipeline and says, once, that the last release stands.
    assert.match(r.stderr, /pipeline feed: cannot read the feed .*; check source\.url in the pipeline or rerun later\. Nothing was published; the previous release stands\./);
    assert.ok(Date.now() - started < 15_000, `the run took ${Date.now() - started} ms`);
  });
});
