import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/effects.ts';
import { validatePipeline } from '../../src/pipeline/config.ts';
import { createSource } from '../../src/sources/index.ts';
import { atomFeed, runSource, startTestServer, type TestServer } from '../helpers/server.ts';

describe('createSource', () => {
  let server: TestServer;
  let rawDir: string;
  before(async () => {
    server = await startTestServer();
    rawDir = await mkdtemp(join(tmpdir(), 'zhengce-raw-'));
  });
  after(async () => {
    await server.close();
    await rm(rawDir, { recursive: true, force: true });
  });
  const ctx = () => ({ previous: new Map(), cursor: null, rawDir, clock: { now: () => new Date() }, logger: silentLogger });

  it('builds a github source from a validated pipeline, with the token passed in', async () => {
    const config = validatePipeline({ id: 't', source: { type: 'github', repo: 'zning1994/finews', api: server.origin, raw: server.origin, http: { rate_limit: 1000 } } }, 't.yaml');
    const { events } = await runSource(createSource(config.source, { cwd: '/', githubToken: 'tok' }), ctx());
    assert.ok(events.length > 0 && events.every((e) => e.kind === 'post'));
    assert.equal(server.requests[0].headers.authorization, 'Bearer tok');
  });

  it("sends the pipeline's http.user_agent with every request of a source", async () => {
    const config = validatePipeline(
      { id: 't', source: { type: 'github', repo: 'zning1994/finews', api: server.origin, raw: server.origin, http: { rate_limit: 1000, user_agent: 'zhengce-test (ops@example.org)' } } },
      't.yaml',
    );
    const seen = server.requests.length;
    await runSource(createSource(config.source, { cwd: '/' }), ctx());
    const agents = new Set(server.requests.slice(seen).map((r) => r.headers['user-agent']));
    assert.deepEqual([...agents], ['zhengce-test (ops@example.org)']);
  });

  it('builds a feed source and a dir source', async () => {
    server.routes.set('/feed.xml', { bytes: Buffer.from(atomFeed(`${server.origin}/feed.xml`, [{ id: 'a', title: 't', html: '<p>正文</p>' }])), contentType: 'application/atom+xml' });
    const feed = validatePipeline({ id: 't', source: { type: 'feed', url: `${server.origin}/feed.xml` } }, 't.yaml');
    const fed = await runSource(createSource(feed.source, { cwd: '/' }), ctx());
    assert.deepEqual(
      fed.events.map((e) => e.kind),
      ['post'],
    );
    const dir = validatePipeline({ id: 't', source: { type: 'dir', path: 'pipelines/sample/posts' } }, 't.yaml');
    const read = await runSource(createSource(dir.source, { cwd: join(import.meta.dirname, '..', '..') }), ctx());
    assert.ok(read.events.length > 0 && read.events.every((e) => e.kind === 'post'));
  });
});
