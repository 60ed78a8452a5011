// Fetch throughput of the github source against the loopback GitHub replica in finews's real shape
// (300 posts in _posts/, 20,000 in old_post/, 80,000 other files, so a recursive root listing truncates):
// the first run in full, a no-change rerun (one root request answered 304), for the source alone and for a
// whole pipeline run, and a move-only run (the 300 posts to old_post/). Run alone: `npx tsx bench/fetch.ts`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { runPipelineOnce } from '../src/pipeline/operate.ts';
import type { SourceContext } from '../src/core/source.ts';
import { githubSource } from '../src/sources/github-fetch.ts';
import { finewsShapeFiles, finewsShapeId, revisionsOf, runSource, startTestServer, testHttpOptions } from '../tests/helpers/server.ts';

const POSTS_NOW = 300;
const OLD_POSTS = 20_000;

export interface FetchFigures {
  posts: number;
  firstRunPostsPerSecond: number;
  firstRunRequests: number;
  noChangeRequests: number;
  noChangeSeconds: number;
  noChangePipelineRequests: number;
  noChangePipelineSeconds: number;
  moveOnlyRequests: number;
  /** The move-only run's release and the CHANGELOG line that says what moved. */
  moveOnlyRelease: string | null;
  moveOnlyPostsReread: number;
  moveOnlyDownloads: number;
}

export async function benchFetch(): Promise<FetchFigures> {
  const server = await startTestServer({ files: finewsShapeFiles({ posts: POSTS_NOW, oldPosts: OLD_POSTS, others: 80_000 }) });
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-bench-fetch-'));
  try {
    const http = testHttpOptions({ rate_limit: 100_000, concurrency: 16, max_response_bytes: 20 * 1024 * 1024 });
    const repo = { type: 'github' as const, repo: `${server.owner}/${server.repo}`, branch: server.branch, path: ['_posts', 'old_post'], api: server.origin, raw: server.origin };
    const source = githubSource({ ...repo, http });
    const ctx: SourceContext = { previous: new Map(), cursor: null, rawDir: join(dir, 'raw'), clock: systemClock, logger: silentLogger };
    // The replica hashes its 100,000 files once, before the clock starts, as GitHub has them listed already.
    server.treeSha('');

    let started = performance.now();
    const full = await runSource(source, ctx);
    const fullSeconds = (performance.now() - started) / 1000;
    const fetched = full.events.filter((e) => e.kind === 'post').length;
    if (fetched !== POSTS_NOW + OLD_POSTS) throw new Error(`bench fetched ${fetched} posts, expected ${POSTS_NOW + OLD_POSTS}`);
    const firstRunRequests = server.requests.length;

    server.requests.length = 0;
    started = performance.now();
    const rerun = await runSource(source, { ...ctx, previous: revisionsOf(full.events), cursor: full.summary.cursor });
    const noChangeSeconds = (performance.now() - started) / 1000;
    if (!rerun.summary.notModified) throw new Error('the no-change rerun was not answered 304');
    const noChangeRequests = server.requests.length;

    const config = validatePipeline({ id: 'bench-fetch', source: { ...repo, http } }, 'bench');
    const pipeline = { file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') };
    const deps = { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} };
    // Each run as `zhengce run` makes it: under the lock, the source asked first (one root request) before the store.
    await runPipelineOnce(pipeline, deps);
    server.requests.length = 0;
    started = performance.now();
    const again = await runPipelineOnce(pipeline, deps);
    const noChangePipelineSeconds = (performance.now() - started) / 1000;
    if (again.release_id !== null) throw new Error('the no-change pipeline run published a release');
    const noChangePipelineRequests = server.requests.length;

    for (let n = OLD_POSTS; n < OLD_POSTS + POSTS_NOW; n++) {
      server.files.set(`old_post/${finewsShapeId(n)}.md`, server.files.get(`_posts/${finewsShapeId(n)}.md`)!);
      server.files.delete(`_posts/${finewsShapeId(n)}.md`);
    }
    server.requests.length = 0;
    await new Promise((r) => setTimeout(r, 1000));
    const moved = await runPipelineOnce(pipeline, deps);
    if (server.requestsTo().length > 0) throw new Error('the move-only run downloaded posts');

    return {
      posts: fetched,
      firstRunPostsPerSecond: Math.round(fetched / fullSeconds),
      firstRunRequests,
      noChangeRequests,
      noChangeSeconds: Number(noChangeSeconds.toFixed(3)),
      noChangePipelineRequests,
      noChangePipelineSeconds: Number(noChangePipelineSeconds.toFixed(3)),
      moveOnlyRequests: server.requests.length,
      moveOnlyRelease: moved.release_id,
      moveOnlyPostsReread: moved.fetched,
      moveOnlyDownloads: server.requestsTo().length,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchFetch()));
}
