// Fetch throughput of the github source against the loopback test server: 2,000 posts in full, then
// a rerun with nothing changed (one trees request answered 304), for the source alone and for a whole
// pipeline run (store, comparison, no release). Run alone: `npx tsx bench/fetch.ts`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import type { SourceContext } from '../src/core/source.ts';
import { githubSource } from '../src/sources/github.ts';
import { fixtureFiles, revisionsOf, runSource, startTestServer, testHttpOptions, type ServedFile } from '../tests/helpers/server.ts';

const POSTS = 2000;

/** 2,000 distinct posts made from the real fixture posts, each marked with its number so no two share bytes. */
function benchFiles(): Map<string, ServedFile> {
  const real = [...fixtureFiles()].filter(([path]) => path.startsWith('_posts/')).map(([, file]) => file);
  const files = new Map<string, ServedFile>();
  for (let i = 0; i < POSTS; i++) {
    const file = real[i % real.length];
    files.set(`_posts/2022-01-06-bench${String(i).padStart(4, '0')}.md`, { ...file, bytes: Buffer.concat([file.bytes, Buffer.from(`\n<!-- ${i} -->`)]) });
  }
  return files;
}

export async function benchFetch(): Promise<{ postsPerSecond: number; noChangeSeconds: number; noChangePipelineSeconds: number }> {
  const server = await startTestServer({ files: benchFiles() });
  const rawDir = await mkdtemp(join(tmpdir(), 'zhengce-bench-raw-'));
  try {
    const http = testHttpOptions({ rate_limit: 100_000, concurrency: 16, max_response_bytes: 20 * 1024 * 1024 });
    const source = githubSource({ repo: `${server.owner}/${server.repo}`, branch: server.branch, path: '_posts', api: server.origin, raw: server.origin, http });
    const ctx: SourceContext = { previous: new Map(), cursor: null, rawDir, clock: systemClock, logger: silentLogger };

    let started = performance.now();
    const full = await runSource(source, ctx);
    const fullSeconds = (performance.now() - started) / 1000;
    const fetched = full.events.filter((e) => e.kind === 'post').length;
    if (fetched !== POSTS) throw new Error(`bench fetched ${fetched} posts, expected ${POSTS}`);

    started = performance.now();
    const rerun = await runSource(source, { ...ctx, previous: revisionsOf(full.events), cursor: full.summary.cursor });
    const noChangeSeconds = (performance.now() - started) / 1000;
    if (!rerun.summary.notModified) throw new Error('the no-change rerun was not answered 304');

    const config = validatePipeline({ id: 'bench-fetch', source: { type: 'github', repo: `${server.owner}/${server.repo}`, branch: server.branch, api: server.origin, raw: server.origin, http } }, 'bench');
    const pipeline = { file: 'bench', config, cwd: rawDir, outputDir: join(rawDir, 'output') };
    const deps = { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} };
    await runPipeline(pipeline, deps);
    started = performance.now();
    const again = await runPipeline(pipeline, deps);
    const noChangePipelineSeconds = (performance.now() - started) / 1000;
    if (again.releaseId !== null) throw new Error('the no-change pipeline run published a release');

    return { postsPerSecond: Math.round(fetched / fullSeconds), noChangeSeconds: Number(noChangeSeconds.toFixed(3)), noChangePipelineSeconds: Number(noChangePipelineSeconds.toFixed(3)) };
  } finally {
    await server.close();
    await rm(rawDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchFetch()));
}
