import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test, type TestContext } from 'node:test';
import { silentLogger, type Clock } from '../../src/core/effects.ts';
import { sha256 } from '../../src/core/hash.ts';
import type { SourceContext, SourceEvent } from '../../src/core/source.ts';
import type { RawPost } from '../../src/core/types.ts';
import { githubSource } from '../../src/sources/github-fetch.ts';
import { openSnapshotStore, readSnapshotIndex, rawSnapshotSource, type BodySnapshot, type IndexLine } from '../../src/sources/raw.ts';
import { ROOT } from '../helpers/cli.ts';
import { encodeGbk, fixtureFiles, revisionsOf, runSource, useServerAndRawDir, testHttpOptions, type TestServer } from '../helpers/server.ts';

const clock: Clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const posts = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'post' ? [e.post] : []));
const byId = (list: RawPost[]) => new Map(list.map((p) => [p.sourceId, p]));

async function indexLines(rawDir: string): Promise<IndexLine[]> {
  const lines: IndexLine[] = [];
  for await (const line of readSnapshotIndex(rawDir)) lines.push(line);
  return lines;
}

async function objectFiles(rawDir: string): Promise<string[]> {
  const entries = await readdir(join(rawDir, 'objects'), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** Rejections nobody handled while `body` runs (each one would kill a real process). */
async function unhandledRejectionsDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => void seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await body();
    await new Promise((done) => setTimeout(done, 50)); // a late rejection is reported within a tick or two
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe('raw snapshots', () => {
  let server: TestServer;
  let rawDir: string;
  const ctx = (more: Partial<SourceContext> = {}): SourceContext => ({ previous: new Map(), cursor: null, rawDir, clock, logger: silentLogger, ...more });
  const github = () => githubSource({ type: 'github', repo: `${server.owner}/${server.repo}`, branch: server.branch, path: '_posts', api: server.origin, raw: server.origin, http: testHttpOptions() });

  useServerAndRawDir(
    (s) => (server = s),
    (d) => (rawDir = d),
  );

  it('stores every fetched body once under its sha256, indexed with where and when it came from', async () => {
    server.files.set('_posts/gbk-page.md', { bytes: encodeGbk('<p>国务院办公厅</p>'), contentType: 'text/html; charset=gbk' });
    const { events } = await runSource(github(), ctx());
    const lines = await indexLines(rawDir);
    const bodies = lines.filter((l): l is BodySnapshot => l.kind === 'body');
    const trees = bodies.find((b) => b.source_id === null)!;
    assert.equal(trees.url, `${server.origin}${server.treesPath}`);
    assert.ok(trees.etag);
    const plan = bodies.find((b) => b.source_id === '2022-01-06-202201062238656632')!;
    const bytes = server.files.get('_posts/2022-01-06-202201062238656632.md')!.bytes;
    assert.deepEqual(plan, {
      kind: 'body',
      url: `${server.origin}${server.rawPath('_posts/2022-01-06-202201062238656632.md')}`,
      source: 'github:zning1994/finews',
      source_id: '2022-01-06-202201062238656632',
      fetched_at: '2026-01-02T03:04:05.000Z',
      status: 200,
      etag: `"${plan.revision}"`,
      last_modified: null,
      content_type: 'text/plain; charset=utf-8',
      content_encoding: null,
      encoding: 'utf-8',
      revision: '83ec647a4b59551e22b18bd5c9deb00e6dfb11d4',
      source_path: '_posts/2022-01-06-202201062238656632.md',
      bytes: bytes.length,
      sha256: sha256(bytes),
    });
    assert.equal(bodies.find((b) => b.source_id === 'gbk-page')!.encoding, 'gb18030');
    assert.deepEqual(await readFile(join(rawDir, 'objects', plan.sha256.slice(0, 2), plan.sha256)), bytes);
    const listing = lines.find((l) => l.kind === 'listing');
    assert.equal(listing?.kind === 'listing' && listing.source_ids.length, posts(events).length);

    const before = await objectFiles(rawDir);
    assert.ok(
      before.every((name) => /^[0-9a-f]{64}$/.test(name)),
      'no temp files left behind',
    );
    await runSource(github(), ctx());
    assert.deepEqual(await objectFiles(rawDir), before, 'refetched bodies are not stored twice');
    assert.equal((await indexLines(rawDir)).length, lines.length * 2, 'but each fetch is indexed');
  });

  it('replays the last fetch with no network: same posts, unchanged ones reported unchanged', async () => {
    const online = await runSource(github(), ctx());
    const requests = server.requests.length;
    const offline = await runSource(rawSnapshotSource(rawDir), ctx({ cursor: 'kept' }));
    assert.equal(server.requests.length, requests);
    assert.deepEqual(byId(posts(offline.events)), byId(posts(online.events)));
    assert.deepEqual(offline.summary, { cursor: 'kept', notModified: false });
    const again = await runSource(rawSnapshotSource(rawDir), ctx({ previous: revisionsOf(online.events) }));
    assert.ok(again.events.every((e) => e.kind === 'unchanged'));
  });

  it('replays what the newest run listed: a removed post stays removed, an edited one is its new version', async () => {
    const first = await runSource(github(), ctx());
    const edited = '_posts/2021-12-08-202112082206885192.md';
    server.files.set(edited, { ...server.files.get(edited)!, bytes: Buffer.from('---\ntitle: edited\n---\n<p>新</p>') });
    server.files.delete('_posts/2021-12-08-202112082206928461.md');
    await runSource(github(), ctx({ previous: revisionsOf(first.events), cursor: first.summary.cursor }));
    const offline = posts((await runSource(rawSnapshotSource(rawDir), ctx())).events);
    const ids = offline.map((p) => p.sourceId);
    assert.equal(ids.includes('2021-12-08-202112082206928461'), false);
    assert.equal(ids.length, posts(first.events).length - 1);
    assert.equal(Buffer.from(byId(offline).get('2021-12-08-202112082206885192')!.bytes).toString(), '---\ntitle: edited\n---\n<p>新</p>');
  });

  it('reports a listed post that was never stored as failed, and survives a torn index line', async () => {
    server.faults = ({ path }) => (path.endsWith('885265.md') ? { kind: 'status', status: 404 } : null);
    await runSource(github(), ctx());
    const indexed = (await indexLines(rawDir)).length;
    await appendFile(join(rawDir, 'index.jsonl'), '{"kind":"body","url":"http://cut');
    await runSource(github(), ctx());
    assert.equal((await indexLines(rawDir)).length, indexed * 2, 'the torn line is skipped, the next run indexed in full');
    const { events } = await runSource(rawSnapshotSource(rawDir), ctx());
    const failed = events.filter((e) => e.kind === 'failed');
    assert.equal(failed.length, 1);
    assert.ok(failed[0].kind === 'failed' && /no raw snapshot of "2021-12-08-202112082206885265"/.test(failed[0].error.message));
    assert.equal(posts(events).length, [...fixtureFiles().keys()].filter((p) => p.startsWith('_posts/')).length - 1);
  });

  // The folder cannot be made: the store's first write must fail with a message naming it, and a
  // store that is never written to (the listing failed first) must not leave an unhandled rejection.
  async function assertUnwritable(target: string): Promise<void> {
    const meta = {
      url: 'http://127.0.0.1/x',
      source: 'test',
      source_id: 'x',
      fetched_at: '2026-01-02T03:04:05.000Z',
      status: 200,
      etag: null,
      last_modified: null,
      content_type: null,
      content_encoding: null,
      revision: null,
    };
    const unhandled = await unhandledRejectionsDuring(async () => {
      const store = openSnapshotStore(target);
      await new Promise((done) => setTimeout(done, 50)); // the folder has failed to be made before anything awaits the store
      const named = (err: Error) => err.message.includes(`cannot write raw snapshots in ${target}`);
      await assert.rejects(store.saveBody(meta, Buffer.from('body')), named);
      await assert.rejects(store.saveListing({ url: meta.url, source: 'test', fetched_at: meta.fetched_at, source_ids: [] }), named);
      openSnapshotStore(target); // opened and never used
      const nope = githubSource({ type: 'github', repo: `${server.owner}/${server.repo}`, branch: 'nope', path: '_posts', api: server.origin, raw: server.origin, http: testHttpOptions() });
      await assert.rejects(runSource(nope, ctx({ rawDir: target })), /HTTP 404/);
      await assert.rejects(runSource(github(), ctx({ rawDir: target })), (err: Error) => named(err));
    });
    assert.deepEqual(unhandled, []);
  }

  it('a raw folder that cannot be made (its parent is a file) fails at the first save, naming the folder', async () => {
    const blocker = join(rawDir, 'a-file');
    await writeFile(blocker, 'not a folder');
    await assertUnwritable(join(blocker, 'raw'));
  });

  it('a raw folder under a read-only folder fails at the first save, naming the folder', async (t: TestContext) => {
    if (process.getuid?.() === 0) return t.skip('running as root, which ignores folder permissions');
    const readOnly = join(rawDir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o500);
    try {
      await assertUnwritable(join(readOnly, 'raw'));
    } finally {
      await chmod(readOnly, 0o700);
    }
  });

  it('a body the disk has no room for fails naming its object, and leaves no temporary file', async (t: TestContext) => {
    const small = join(rawDir, 'small-disk');
    await mkdir(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', small], { stdio: 'pipe' });
    } catch (err) {
      return t.skip(`cannot mount a tmpfs here to simulate the disk (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`);
    }
    // Unmounted here, not in t.after: the raw folder is removed after each test, before t.after runs.
    try {
      const body = Buffer.alloc(64 * 1024, '政');
      const meta = {
        url: 'http://127.0.0.1/big.md',
        source: 'test',
        source_id: 'big',
        fetched_at: '2026-01-02T03:04:05.000Z',
        status: 200,
        etag: null,
        last_modified: null,
        content_type: 'text/markdown',
        content_encoding: null,
        revision: null,
      };
      await assert.rejects(openSnapshotStore(small).saveBody(meta, body), new RegExp(`objects/${sha256(body).slice(0, 2)}/${sha256(body)}: the disk is full`));
      assert.deepEqual(await readdir(join(small, 'objects', sha256(body).slice(0, 2))), [], 'no half-written body under any name');
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('says what to do when there is nothing to replay', async () => {
    await assert.rejects(runSource(rawSnapshotSource(join(rawDir, 'none')), ctx()), /no raw snapshots to replay in .*run the pipeline once online first/);
  });
});

/** Writes raw/index.jsonl of `runs` runs of `ids`, each run a body per post then a listing; the last run edits the first post and drops the last. */
async function writeLongIndex(rawDir: string, ids: string[], runs: number): Promise<void> {
  const objects = new Map<string, Buffer>();
  const store = (text: string) => {
    const body = Buffer.from(text);
    objects.set(sha256(body), body);
    return sha256(body);
  };
  const body = (id: string, text: string) => {
    const hash = store(text);
    const line: BodySnapshot = {
      kind: 'body',
      url: `http://127.0.0.1/${id}.md`,
      source: 'test',
      source_id: id,
      fetched_at: '2026-01-02T03:04:05.000Z',
      status: 200,
      etag: `"${hash.slice(0, 12)}"`,
      last_modified: null,
      content_type: 'text/plain; charset=utf-8',
      content_encoding: null,
      encoding: 'utf-8',
      revision: hash,
      bytes: text.length,
      sha256: hash,
    };
    return `${JSON.stringify(line)}\n`;
  };
  const listing = (listed: string[]) => `${JSON.stringify({ kind: 'listing', url: 'http://127.0.0.1/list', source: 'test', fetched_at: '2026-01-02T03:04:05.000Z', source_ids: listed })}\n`;
  const run = ids.map((id) => body(id, `post ${id}`)).join('') + listing(ids);
  const out = createWriteStream(join(rawDir, 'index.jsonl'));
  const batch = run.repeat(1000);
  for (let written = 0; written < runs - 1; written += 1000) if (!out.write(written + 1000 <= runs - 1 ? batch : run.repeat(runs - 1 - written))) await once(out, 'drain');
  out.end(ids.map((id, i) => body(id, i === 0 ? `post ${id} edited` : `post ${id}`)).join('') + listing(ids.slice(0, -1)));
  await once(out, 'finish');
  for (const [hash, bytes] of objects) {
    await mkdir(join(rawDir, 'objects', hash.slice(0, 2)), { recursive: true });
    await writeFile(join(rawDir, 'objects', hash.slice(0, 2), hash), bytes);
  }
}

// Replays in a child whose heap is capped: reading the whole index into memory cannot fit there.
const REPLAY = `
const { rawSnapshotSource } = await import(${JSON.stringify(join(ROOT, 'src', 'sources', 'raw.ts'))});
const rawDir = process.env.RAW_DIR;
const quiet = () => {};
const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet, child: () => logger };
globalThis.gc();
const base = process.memoryUsage().heapUsed;
let peak = base;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
const posts = [];
for await (const e of rawSnapshotSource(rawDir)({ previous: new Map(), cursor: null, rawDir, clock: { now: () => new Date() }, logger })) posts.push([e.kind, e.post?.sourceId, Buffer.from(e.post?.bytes ?? []).toString()]);
clearInterval(sample);
console.log(JSON.stringify({ posts, peakGrowthMB: (Math.max(peak, process.memoryUsage().heapUsed) - base) / 2 ** 20 }));
`;

test('offline replay streams raw/index.jsonl: a million lines replay within a 64 MB heap', { timeout: 120_000 }, async (t) => {
  const rawDir = await mkdtemp(join(tmpdir(), 'zhengce-raw-long-'));
  t.after(() => rm(rawDir, { recursive: true, force: true })); // a third of a gigabyte
  const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const runs = Math.ceil(1_000_000 / (ids.length + 1));
  await writeLongIndex(rawDir, ids, runs);
  const started = Date.now();
  const child = spawn(process.execPath, ['--max-old-space-size=64', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', REPLAY], {
    cwd: ROOT,
    env: { ...process.env, RAW_DIR: rawDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 0, `the replay ran out of memory or failed: ${stderr.slice(-2000)}`);
  const result = JSON.parse(stdout) as { posts: [string, string, string][]; peakGrowthMB: number };
  t.diagnostic(`${runs * (ids.length + 1)} index lines replayed in ${Date.now() - started} ms, heap growth peak ${result.peakGrowthMB.toFixed(1)} MB`);
  // The newest listing (without p4) and the newest body of each post (p0 edited in the last run) win.
  assert.deepEqual(result.posts, [
    ['post', 'p0', 'post p0 edited'],
    ['post', 'p1', 'post p1'],
    ['post', 'p2', 'post p2'],
    ['post', 'p3', 'post p3'],
  ]);
  assert.ok(result.peakGrowthMB < 32, `heap grew by ${result.peakGrowthMB} MB`);
});
