import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeBody } from '../../src/core/charset.ts';
import { SourceUnavailableError } from '../../src/core/errors.ts';
import type { Clock } from '../../src/core/effects.ts';
import { silentLogger } from '../../src/core/effects.ts';
import type { SourceContext, SourceEvent, SourceSummary } from '../../src/core/source.ts';
import type { GithubSourceOptions } from '../../src/sources/github.ts';
import { gitBlobSha, githubSource, unsafePathReason } from '../../src/sources/github-fetch.ts';
import {
  blobSha,
  capturingLogger,
  encodeGbk,
  finewsShapeFiles,
  finewsShapeId,
  fixtureFiles,
  revisionsOf,
  runSource,
  seededFaults,
  startTestServer,
  useServerAndRawDir,
  testHttpOptions,
  type TestServer,
} from '../helpers/server.ts';

const clock: Clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const POSTS = [...fixtureFiles().keys()].filter((p) => p.startsWith('_posts/'));

function options(server: TestServer, overrides: Partial<GithubSourceOptions> = {}): GithubSourceOptions {
  return { type: 'github', repo: `${server.owner}/${server.repo}`, branch: server.branch, path: '_posts', api: server.origin, raw: server.origin, http: testHttpOptions(), ...overrides };
}

const posts = (events: SourceEvent[]) => events.filter((e) => e.kind === 'post').map((e) => (e.kind === 'post' ? e.post : null)!);
const failures = (events: SourceEvent[]) => events.filter((e) => e.kind === 'failed');
/** What of a cursor lets the next run skip listing: the root ETag and the _posts tree sha. */
const relisted = (cursor: string | null) => {
  const saved = JSON.parse(cursor!);
  return { etag: saved.etag, tree: saved.folders._posts.tree };
};

describe('github source', () => {
  let server: TestServer;
  let rawDir: string;
  const ctx = (more: Partial<SourceContext> = {}): SourceContext => ({ previous: new Map(), cursor: null, rawDir, clock, logger: silentLogger, ...more });

  useServerAndRawDir(
    (s) => (server = s),
    (d) => (rawDir = d),
  );

  it('hashes blobs the way git does', () => {
    // `git hash-object pipelines/sample/posts/2022-01-06-202201062238656632.md`
    const bytes = fixtureFiles().get('_posts/2022-01-06-202201062238656632.md')!.bytes;
    assert.equal(gitBlobSha(bytes), '83ec647a4b59551e22b18bd5c9deb00e6dfb11d4');
  });

  it('fetches every post under the folder, byte for byte, with ids, blob shas and content types', async () => {
    const { events, summary } = await runSource(githubSource(options(server)), ctx());
    const got = posts(events);
    assert.equal(failures(events).length, 0);
    assert.deepEqual(got.map((p) => p.sourceId).sort(), POSTS.map((p) => p.slice('_posts/'.length, -'.md'.length)).sort());
    const plan = got.find((p) => p.sourceId === '2022-01-06-202201062238656632')!;
    assert.deepEqual(Buffer.from(plan.bytes), server.files.get('_posts/2022-01-06-202201062238656632.md')!.bytes);
    assert.equal(plan.revision, '83ec647a4b59551e22b18bd5c9deb00e6dfb11d4');
    assert.equal(plan.source, 'github:zning1994/finews');
    assert.equal(plan.url, `${server.origin}/zning1994/finews/main/_posts/2022-01-06-202201062238656632.md`);
    assert.equal(plan.contentType, 'text/plain; charset=utf-8');
    assert.equal(plan.fetchedAt, '2026-01-02T03:04:05.000Z');
    assert.ok(
      got.some((p) => p.sourceId === '-202205262391921712'),
      'a name starting with "-" is a real finews post',
    );
    assert.equal(server.requestsTo(`/${server.owner}/${server.repo}/${server.branch}/pages/`).length, 0, 'files outside the folder are not downloaded');
    assert.equal(summary.notModified, false);
    assert.match(summary.cursor!, /"etag":"W\//);
    const ua = server.requests[0].headers['user-agent'];
    assert.match(String(ua), /zhengce/);
  });

  it('a rerun with no change makes exactly one request, answered 304, and reports nothing new', async () => {
    const first = await runSource(githubSource(options(server)), ctx());
    server.requests.length = 0;
    const second = await runSource(githubSource(options(server)), ctx({ previous: revisionsOf(first.events), cursor: first.summary.cursor }));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].path, server.treesPath);
    assert.ok(server.requests[0].headers['if-none-match']);
    assert.deepEqual(second.events, []);
    assert.deepEqual(second.summary, { cursor: first.summary.cursor, notModified: true });
  });

  it('one edited post costs exactly one download; a removed post is not reported', async () => {
    const first = await runSource(githubSource(options(server)), ctx());
    const edited = '_posts/2021-12-08-202112082206885192.md';
    const removed = '_posts/2021-12-08-202112082206928461.md';
    server.files.set(edited, { ...server.files.get(edited)!, bytes: Buffer.concat([server.files.get(edited)!.bytes, Buffer.from('\n')]) });
    server.files.delete(removed);
    server.requests.length = 0;
    const second = await runSource(githubSource(options(server)), ctx({ previous: revisionsOf(first.events), cursor: first.summary.cursor }));
    assert.deepEqual(
      server.requestsTo().map((r) => r.path),
      [server.rawPath(edited)],
    );
    assert.deepEqual(
      posts(second.events).map((p) => p.sourceId),
      ['2021-12-08-202112082206885192'],
    );
    assert.equal(posts(second.events)[0].revision, blobSha(server.files.get(edited)!.bytes));
    const reported = new Set(second.events.map((e) => (e.kind === 'post' ? e.post.sourceId : e.kind === 'unchanged' ? e.sourceId : e.error.sourceId)));
    assert.equal(reported.has('2021-12-08-202112082206928461'), false);
    assert.equal(reported.size, POSTS.length - 1);
  });

  it('30% 503s and 10% truncated bodies still give every post, intact', async () => {
    server.faults = seededFaults('github-faults', { unavailable: 0.3, truncated: 0.1 });
    const { events } = await runSource(githubSource(options(server)), ctx());
    assert.deepEqual(failures(events), []);
    const got = posts(events);
    assert.equal(got.length, POSTS.length);
    for (const post of got) assert.equal(post.revision, blobSha(server.files.get(`_posts/${post.sourceId}.md`)!.bytes), post.sourceId);
    assert.ok(
      server.requests.some((r) => r.headers.range),
      'a truncated body was resumed with a Range request',
    );
    assert.ok(server.requests.length > 1 + POSTS.length, 'the pattern did inject 503s');
  });

  it('passes a GBK page through with its Content-Type, so decodeBody reads it right', async () => {
    const page = fixtureFiles().get('pages/govcn-2018-12-03-content_5345407.html')!.bytes.toString('utf8');
    server.files.set('_posts/gbk-page.md', { bytes: encodeGbk(page), contentType: 'text/html; charset=GBK' });
    const { events } = await runSource(githubSource(options(server)), ctx());
    const post = posts(events).find((p) => p.sourceId === 'gbk-page')!;
    assert.equal(post.contentType, 'text/html; charset=GBK');
    assert.notDeepEqual(Buffer.from(post.bytes), Buffer.from(page));
    const decoded = decodeBody(post.bytes, post.contentType);
    assert.equal(decoded.encoding, 'gb18030');
    assert.equal(decoded.text, page);
  });

  it('refuses an oversized body with a failed event naming its url, and keeps going', async () => {
    const big = '_posts/2099-01-01-big.md';
    server.files.set(big, { bytes: Buffer.alloc(2 * 1024 * 1024, 'a'), contentType: 'text/plain; charset=utf-8' });
    const { events, summary } = await runSource(githubSource(options(server)), ctx());
    const [failure] = failures(events);
    assert.equal(failure.kind, 'failed');
    if (failure.kind !== 'failed') return;
    assert.equal(failure.url, `${server.origin}${server.rawPath(big)}`);
    assert.equal(failure.error.stage, 'fetch');
    assert.equal(failure.error.sourceId, '2099-01-01-big');
    assert.match(failure.error.message, /max_response_bytes/);
    assert.match(failure.error.message, new RegExp(server.rawPath(big)));
    assert.equal(posts(events).length, POSTS.length);
    assert.deepEqual(relisted(summary.cursor), { etag: null, tree: null }, 'a failed post must be retried next run, so no 304 shortcut');
  });

  it('a post that keeps failing is a failed event with its attempts', async () => {
    server.faults = ({ path }) => (path.endsWith('885265.md') ? { kind: 'status', status: 503 } : null);
    const { events } = await runSource(githubSource(options(server, { http: testHttpOptions({ retries: 2 }) })), ctx());
    const [failed, ...others] = failures(events);
    assert.equal(others.length, 0);
    assert.ok(failed.kind === 'failed');
    assert.equal(failed.error.sourceId, '2021-12-08-202112082206885265');
    assert.equal(failed.attempts, 3);
    assert.match(failed.error.message, /HTTP 503 after 3 attempts/);
  });

  it('a post whose body drips fails by name at http.response_timeout_ms, and the others publish', async () => {
    const dripping = '_posts/2021-12-08-202112082206672930.md';
    server.faults = ({ path }) => (path === server.rawPath(dripping) ? { kind: 'drip', everyMs: 100 } : null);
    const started = Date.now();
    const { events, summary } = await runSource(githubSource(options(server, { http: testHttpOptions({ response_timeout_ms: 600 }) })), ctx());
    assert.ok(Date.now() - started < 3000, `the run took ${Date.now() - started} ms`);
    const [failed] = failures(events);
    assert.equal(failures(events).length, 1);
    if (failed.kind !== 'failed') return;
    assert.equal(failed.error.sourceId, '2021-12-08-202112082206672930');
    assert.match(
      failed.error.message,
      /^GET http:\/\/127\.0\.0\.1:\d+\/zning1994\/finews\/main\/_posts\/2021-12-08-202112082206672930\.md: no complete answer within 600 ms \(http\.response_timeout_ms/,
    );
    assert.equal(posts(events).length, POSTS.length - 1);
    assert.deepEqual(relisted(summary.cursor), { etag: null, tree: null }, 'the next run tries it again');
  });

  it('holds no more post bytes at once than http.max_bytes_in_flight, downloading or waiting for the consumer, and all posts arrive', async () => {
    // Each answer waits 60 ms so downloads overlap; the budget fits two downloads counted at max_response_bytes.
    const http = testHttpOptions({ max_response_bytes: 30_000, max_bytes_in_flight: 60_000 });
    let held = 0;
    let peak = 0;
    const sample = () => (peak = Math.max(peak, server.openBytes + held));
    server.faults = ({ path }) => (sample(), path.startsWith(server.rawPath('')) ? { kind: 'delay', ms: 60 } : null);
    const generator = githubSource(options(server, { http }))(ctx());
    const got: string[] = [];
    const releases: Promise<void>[] = [];
    for (let step = await generator.next(); !step.done; step = await generator.next()) {
      if (step.value.kind !== 'post') continue;
      const { post, release } = step.value;
      got.push(post.sourceId);
      held += post.bytes.byteLength;
      sample();
      // A consumer that takes 40 ms over each post before letting go of its bytes.
      releases.push(
        new Promise((done) =>
          setTimeout(() => {
            held -= post.bytes.byteLength;
            release?.();
            done();
          }, 40),
        ),
      );
    }
    await Promise.all(releases);
    assert.deepEqual(got.sort(), POSTS.map((p) => p.slice('_posts/'.length, -'.md'.length)).sort());
    assert.ok(peak <= 60_000, `${peak} bytes were held at once`);
    assert.ok(server.peakOpenBytes <= 60_000, `${server.peakOpenBytes} bytes of answers were open at once`);
  });

  it('does not retry a 404', async () => {
    const gone = server.rawPath('_posts/2021-12-08-202112082206896686.md');
    server.faults = ({ path }) => (path === gone ? { kind: 'status', status: 404 } : null);
    const { events } = await runSource(githubSource(options(server)), ctx());
    const [failed] = failures(events);
    assert.ok(failed.kind === 'failed');
    assert.equal(failed.attempts, 1);
    assert.match(failed.error.message, /HTTP 404/);
    assert.equal(server.requestsTo().filter((r) => r.path === gone).length, 1);
  });

  it('sends GITHUB_TOKEN as a Bearer token and never prints it', async () => {
    const token = 'ghp_TESTtoken0123456789';
    const logger = capturingLogger();
    server.faults = ({ path, attempt }) => (attempt === 0 && path.endsWith('656632.md') ? { kind: 'status', status: 503 } : path.endsWith('885265.md') ? { kind: 'status', status: 401 } : null);
    const { events } = await runSource(githubSource(options(server), { githubToken: token }), ctx({ logger }));
    assert.equal(server.requests[0].headers.authorization, `Bearer ${token}`);
    assert.ok(server.requestsTo().every((r) => r.headers.authorization === `Bearer ${token}`));
    assert.ok(logger.lines.length > 0 && logger.lines.some((l) => l.includes('retrying')));
    const printed = [...logger.lines, ...failures(events).map((e) => (e.kind === 'failed' ? `${e.error.message} ${e.url} ${JSON.stringify(e.error)}` : ''))].join('\n');
    assert.equal(printed.includes(token), false);
  });

  it('waits as long as Retry-After asks before retrying the listing', async () => {
    server.faults = ({ path, attempt }) => (path === server.treesPath && attempt === 0 ? { kind: 'status', status: 429, retryAfter: '1' } : null);
    const { events } = await runSource(githubSource(options(server)), ctx());
    const trees = server.requests.filter((r) => r.path === server.treesPath);
    assert.equal(trees.length, 2);
    assert.ok(trees[1].at - trees[0].at >= 950, `waited ${trees[1].at - trees[0].at} ms`);
    assert.equal(posts(events).length, POSTS.length);
  });

  it('throws, naming the url and what to do, when the listing cannot be had', async () => {
    server.faults = ({ path }) => (path === server.treesPath ? { kind: 'status', status: 503 } : null);
    await assert.rejects(runSource(githubSource(options(server, { http: testHttpOptions({ retries: 1 }) })), ctx()), (err: Error) => {
      assert.match(err.message, new RegExp(`${server.origin}/repos/zning1994/finews/git/trees/main`));
      assert.match(err.message, /HTTP 503 after 2 attempts; rerun later/);
      // The source cannot list at all: the run says, for every source alike, that nothing was published.
      assert.ok(err instanceof SourceUnavailableError);
      return true;
    });
    server.faults = null;
    await assert.rejects(runSource(githubSource(options(server, { branch: 'nope' })), ctx()), /HTTP 404.*check source.repo and source.branch/);
  });

  it('lists the root without recursion, then the folder by its tree sha; a truncated folder listing is walked one level at a time', async () => {
    // 4 posts stay in _posts/ and the rest move to _posts/2022/: one level fits in 8 entries, the whole folder does not.
    const moved = [...server.files].filter(([p]) => p.startsWith('_posts/')).slice(4);
    for (const [path, file] of moved) {
      server.files.delete(path);
      server.files.set(path.replace('_posts/', '_posts/2022/'), file);
    }
    server.treeLimits = { entries: 8, bytes: 7 * 1024 * 1024 };
    const { events } = await runSource(githubSource(options(server)), ctx());
    const postsSha = server.treeSha('_posts');
    assert.deepEqual(
      server.requestsTo('/repos/').map((r) => r.path),
      [server.treesPath, server.treePath(postsSha, true), server.treePath(postsSha, false), server.treePath(server.treeSha('_posts/2022'), false)],
    );
    assert.equal(failures(events).length, 0);
    const ids = posts(events).map((p) => p.sourceId);
    assert.equal(ids.length, POSTS.length);
    assert.ok(moved.length > 5 && moved.every(([path]) => ids.includes(`2022/${path.slice('_posts/'.length, -'.md'.length)}`)), 'posts in a sub-folder are found past the truncation');
  });

  it("stops at GitHub's primary rate limit (403, x-ratelimit-remaining: 0) with until when and GITHUB_TOKEN, after no download", async () => {
    const reset = Math.floor(clock.now().getTime() / 1000) + 1800;
    server.apiRateLimit = { limit: 60, remaining: 1, reset };
    await assert.rejects(runSource(githubSource(options(server)), ctx()), (err: Error) => {
      assert.match(err.message, /GitHub's rate limit \(HTTP 403\) stops the run at .*\/git\/trees\/[0-9a-f]{40}\?recursive=1 until 2026-01-02T03:34:05\.000Z/);
      assert.match(err.message, /will not be downloaded again; set GITHUB_TOKEN \(5,000 requests an hour instead of 60\) or rerun after 2026-01-02T03:34:05\.000Z/);
      return true;
    });
    assert.deepEqual(
      server.requestsTo('/repos/').map((r) => r.path),
      [server.treesPath, server.treePath(server.treeSha('_posts'), true)],
    );
    assert.equal(server.requestsTo().length, 0);
  });

  it('waits out a secondary rate limit shorter than http.max_retry_delay_ms on a download, then goes on', async () => {
    const slow = server.rawPath(POSTS[0]);
    server.faults = ({ path, attempt }) => (path === slow && attempt === 0 ? { kind: 'status', status: 403, retryAfter: '1' } : null);
    const { events } = await runSource(githubSource(options(server)), ctx());
    assert.equal(failures(events).length, 0);
    assert.equal(posts(events).length, POSTS.length);
    const tries = server.requests.filter((r) => r.path === slow);
    assert.equal(tries.length, 2);
    assert.ok(tries[1].at - tries[0].at >= 950, `waited ${tries[1].at - tries[0].at} ms`);
  });

  it('a folder listing truncated even one level deep fails by name, since removals could not be told', async () => {
    server.treeLimits = { entries: 3, bytes: 7 * 1024 * 1024 };
    await assert.rejects(runSource(githubSource(options(server)), ctx()), /folder _posts\/ of zning1994\/finews only in part even one level deep/);
    assert.equal(server.requestsTo().length, 0);
  });

  it('a stale raw copy (sha differs from the tree) keeps no cursor, so the next run lists again and fetches it anew', async () => {
    const stale = '_posts/2021-12-08-202112082206885192.md';
    const old = server.files.get(stale)!;
    const fresh = { ...old, bytes: Buffer.concat([old.bytes, Buffer.from('\nedited\n')]) };
    server.files.set(stale, fresh); // the tree lists the edit; the raw host still serves the old bytes for a while
    server.rawStale.set(stale, old);
    const logger = capturingLogger();
    const first = await runSource(githubSource(options(server)), ctx({ logger }));
    const firstStale = posts(first.events).find((p) => p.sourceId === '2021-12-08-202112082206885192')!;
    assert.equal(firstStale.revision, blobSha(old.bytes), 'the first run received the stale copy');
    assert.ok(logger.lines.some((l) => l.includes('raw download differs from the tree')));
    assert.deepEqual(relisted(first.summary.cursor), { etag: null, tree: null }, 'a stale copy must not let the next run stop at a 304 or skip the folder');

    server.rawStale.clear(); // the raw host catches up
    server.requests.length = 0;
    const second = await runSource(githubSource(options(server)), ctx({ previous: revisionsOf(first.events), cursor: first.summary.cursor }));
    assert.deepEqual(
      server.requestsTo().map((r) => r.path),
      [server.rawPath(stale)],
    );
    assert.deepEqual(
      posts(second.events).map((p) => p.sourceId),
      ['2021-12-08-202112082206885192'],
    );
    assert.equal(posts(second.events)[0].revision, blobSha(fresh.bytes));
    assert.match(second.summary.cursor!, /"etag":"W\//, 'once every copy matches its sha, the cursor is kept again');
  });

  it('refuses post paths that could escape the folder or carry odd characters, by name', async () => {
    server.files.set('_posts/a b$(rm).md', { bytes: Buffer.from('x'), contentType: 'text/plain' });
    const { events } = await runSource(githubSource(options(server)), ctx());
    const refused = failures(events);
    assert.equal(refused.length, 1);
    if (refused[0].kind !== 'failed') return;
    assert.match(refused[0].error.message, /refused the repository path "_posts\/a b\$\(rm\)\.md"/);
    assert.equal(
      server.requestsTo().some((r) => r.path.includes('rm')),
      false,
    );
    assert.equal(unsafePathReason('_posts/../../etc/passwd.md')?.includes('escape'), true);
    assert.equal(unsafePathReason('_posts/.hidden.md')?.includes('hidden'), true);
    assert.equal(unsafePathReason('_posts/中华人民共和国公司法(2023-12-29).md'), null);
  });
});

/** A suite on a replica in finews's real shape: 300 posts in _posts/, `OLD_POSTS` in old_post/, 80,000 other files (a recursive root listing truncates). */
const finewsShapeSuite = (OLD_POSTS: number, tests: string) =>
  describe(`github source on a repository in finews's real shape (300 posts in _posts/, ${OLD_POSTS.toLocaleString('en')} in old_post/, 80,000 other files): ${tests}`, () => {
    const POSTS_NOW = 300;
    const TOTAL = POSTS_NOW + OLD_POSTS;
    const CONCURRENCY = 16;
    let server: TestServer;
    let rawDir: string;
    // What a pipeline hands the next run: the revisions of the posts it holds and the source's cursor.
    let previous = new Map<string, string | null>();
    let cursor: string | null = null;
    const finews = () =>
      githubSource({
        type: 'github',
        repo: `${server.owner}/${server.repo}`,
        branch: server.branch,
        path: ['_posts', 'old_post'],
        api: server.origin,
        raw: server.origin,
        http: testHttpOptions({ concurrency: CONCURRENCY, max_retry_delay_ms: 1000 }),
      });
    const ctx = (dir = rawDir): SourceContext => ({ previous, cursor, rawDir: dir, clock, logger: silentLogger });
    const advance = (run: { events: SourceEvent[]; summary: SourceSummary }) => {
      previous = revisionsOf(run.events, previous);
      cursor = run.summary.cursor;
    };
    const tempDirs: string[] = [];
    const freshRawDir = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'zhengce-raw-finews-'));
      tempDirs.push(dir);
      return dir;
    };

    before(async () => {
      server = await startTestServer({ files: finewsShapeFiles({ posts: POSTS_NOW, oldPosts: OLD_POSTS, others: 80_000 }) });
      rawDir = await freshRawDir();
    });
    after(async () => {
      await server.close();
      for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
    });

    if (tests === 'listing') {
      it("a recursive listing of the root is truncated by GitHub's 100,000 entries / 7 MB", async () => {
        const answer = (await (await fetch(`${server.origin}${server.treePath(server.branch, true)}`)).json()) as { truncated: boolean; tree: unknown[] };
        assert.equal(answer.truncated, true);
        assert.ok(answer.tree.length <= 100_000);
      });

      // 20,300 downloads over loopback: 4 s measured alone, over 120 s when started beside parts.test.ts at a load of 14
      // (the deadline is a bound against a hang, not what the test checks).
      it('the first run lists in 3 requests and downloads exactly the 20,300 posts, at most http.concurrency at once', { timeout: 360_000 }, async () => {
        server.requests.length = 0;
        server.peakInFlight = 0;
        const run = await runSource(finews(), ctx());
        assert.deepEqual(
          server.requestsTo('/repos/').map((r) => r.path),
          [server.treesPath, server.treePath(server.treeSha('_posts'), true), server.treePath(server.treeSha('old_post'), true)],
        );
        const downloads = server.requestsTo();
        assert.equal(downloads.length, TOTAL);
        assert.equal(new Set(downloads.map((r) => r.path)).size, TOTAL);
        assert.ok(
          downloads.every((r) => r.path.includes('/_posts/') || r.path.includes('/old_post/')),
          'nothing outside the listed folders',
        );
        assert.equal(failures(run.events).length, 0);
        assert.equal(posts(run.events).length, TOTAL);
        assert.equal(posts(run.events).find((p) => p.sourceId === finewsShapeId(OLD_POSTS))!.sourcePath, `_posts/${finewsShapeId(OLD_POSTS)}.md`);
        assert.ok(server.peakInFlight <= CONCURRENCY, `at most ${CONCURRENCY} requests at once, saw ${server.peakInFlight}`);
        advance(run);
      });

      it('a change only in a third folder costs the root listing and no post request', async () => {
        server.requests.length = 0;
        server.files.set('assets/0/0.json', { contentType: 'application/json', bytes: Buffer.from('{"n":"changed"}') });
        const run = await runSource(finews(), ctx());
        assert.deepEqual(
          server.requests.map((r) => r.path),
          [server.treesPath],
        );
        assert.equal(run.events.length, TOTAL);
        assert.ok(run.events.every((e) => e.kind === 'unchanged'));
        advance(run);
      });

      it('moving the 300 posts to old_post/ downloads nothing and reports each post once, at its new path, same revision', async () => {
        for (let n = OLD_POSTS; n < TOTAL; n++) {
          const from = `_posts/${finewsShapeId(n)}.md`;
          server.files.set(`old_post/${finewsShapeId(n)}.md`, server.files.get(from)!);
          server.files.delete(from);
        }
        server.requests.length = 0;
        const run = await runSource(finews(), ctx());
        assert.equal(server.requestsTo().length, 0, 'no download');
        assert.deepEqual(
          server.requestsTo('/repos/').map((r) => r.path),
          [server.treesPath, server.treePath(server.treeSha('old_post'), true)],
          '_posts/ is gone from the branch',
        );
        const moved = posts(run.events);
        assert.equal(moved.length, POSTS_NOW);
        assert.ok(moved.every((p) => p.sourcePath === `old_post/${p.sourceId}.md` && p.revision === previous.get(p.sourceId)));
        assert.equal(run.events.filter((e) => e.kind === 'unchanged').length, OLD_POSTS);
        advance(run);
      });

      it('a post caught half-way through a move (in both folders) is one post, where it was', async () => {
        const id = finewsShapeId(0);
        server.files.set(`_posts/${id}.md`, server.files.get(`old_post/${id}.md`)!);
        server.requests.length = 0;
        const run = await runSource(finews(), ctx());
        assert.equal(server.requestsTo().length, 0);
        assert.equal(run.events.length, TOTAL);
        assert.ok(run.events.every((e) => e.kind === 'unchanged'));
        server.files.delete(`_posts/${id}.md`);
      });

      it('one new post costs one download', async () => {
        const fresh = '_posts/2026-01-02-20260102000000001.md';
        server.files.set(fresh, { contentType: 'text/plain; charset=utf-8', bytes: Buffer.from('---\ntitle: 新\n---\n<p>新</p>\n') });
        server.requests.length = 0;
        const run = await runSource(finews(), ctx());
        assert.deepEqual(
          server.requestsTo().map((r) => r.path),
          [server.rawPath(fresh)],
        );
        assert.deepEqual(
          posts(run.events).map((p) => p.sourceId),
          ['2026-01-02-20260102000000001'],
        );
        advance(run);
        server.files.delete(fresh);
      });
    } else {
      it('a first run killed half-way, then rerun, downloads only the rest', { timeout: 360_000 }, async () => {
        const dir = await freshRawDir();
        [previous, cursor] = [new Map(), null];
        server.requests.length = 0;
        const killed = finews()(ctx(dir));
        const kept = new Set<string>();
        while (kept.size < TOTAL / 2) {
          const step = await killed.next();
          if (step.done || step.value.kind !== 'post') throw new Error('expected posts');
          step.value.release?.();
          kept.add(server.rawPath(step.value.post.sourcePath!));
        }
        await killed.return(undefined as never);
        server.requests.length = 0;
        const rerun = await runSource(finews(), ctx(dir));
        assert.equal(posts(rerun.events).length, TOTAL, 'every post is reported');
        const downloaded = server.requestsTo().map((r) => r.path);
        assert.equal(downloaded.filter((p) => kept.has(p)).length, 0, 'nothing the killed run delivered is downloaded again');
        assert.ok(downloaded.length <= TOTAL - kept.size, `${downloaded.length} downloads`);
      });

      it('a rate limit hit half-way stops cleanly with the message; the next run completes, downloading only the rest', { timeout: 360_000 }, async () => {
        const dir = await freshRawDir();
        [previous, cursor] = [new Map(), null];
        server.requests.length = 0;
        let answered = 0;
        const reset = Math.floor(clock.now().getTime() / 1000) + 3600;
        // raw.githubusercontent.com's secondary limit: a 429 with Retry-After once too many files were asked for.
        server.faults = ({ path }) =>
          path.startsWith('/repos/') || ++answered <= TOTAL / 2 ? null : { kind: 'status', status: 429, retryAfter: '3600', headers: { 'x-ratelimit-reset': String(reset) } };
        await assert.rejects(runSource(finews(), ctx(dir)), (err: Error) => {
          assert.match(err.message, /GitHub's rate limit \(HTTP 429\) stops the run at .* until 2026-01-02T04:04:05\.000Z/);
          assert.match(err.message, /post\(s\) downloaded so far are kept in raw\/ and will not be downloaded again; set GITHUB_TOKEN/);
          return true;
        });
        const firstDownloads = new Set(
          server
            .requestsTo()
            .slice(0, TOTAL / 2)
            .map((r) => r.path),
        );
        server.faults = null;
        server.requests.length = 0;
        const rerun = await runSource(finews(), ctx(dir));
        assert.equal(posts(rerun.events).length, TOTAL);
        const downloaded = server.requestsTo().map((r) => r.path);
        assert.ok(downloaded.length <= TOTAL / 2 + CONCURRENCY, `${downloaded.length} downloads: only what the stopped run did not keep`);
        assert.ok(downloaded.filter((p) => firstDownloads.has(p)).length <= CONCURRENCY, 'at most the downloads in flight at the stop are made again');
      });
    }
  });

// The full size costs a minute of downloads: the resumption tests, which each need a first run of their own, use 2,000 old posts.
finewsShapeSuite(20_000, 'listing');
finewsShapeSuite(2_000, 'resumption');
