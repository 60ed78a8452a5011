// One scaled end-to-end run in its own process, so its peak RSS is its own: `tsx bench/scale.ts <posts>`.
import { copyFile, link, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, noProgress, systemClock } from '../src/core/effects.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { runPipeline } from '../src/pipeline/run.ts';

const SAMPLE = join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts');

/** N posts with distinct ids, as hard links to the bundled posts so the corpus costs no disk. */
async function buildCorpus(dir: string, n: number): Promise<void> {
  const names = (await readdir(SAMPLE)).sort();
  const originals = join(dir, 'originals');
  await mkdir(originals, { recursive: true });
  for (const name of names) await copyFile(join(SAMPLE, name), join(originals, name));
  for (let shard = 0; shard * 1000 < n; shard++) {
    const folder = join(dir, 'posts', String(shard).padStart(3, '0'));
    await mkdir(folder, { recursive: true });
    for (let i = shard * 1000; i < Math.min(n, (shard + 1) * 1000); i++) {
      const name = names[i % names.length];
      await link(join(originals, name), join(folder, `${String(i).padStart(6, '0')}-${name}`));
    }
  }
}

/** Bytes on disk under `dir`, each hard-linked file counted once (as `du` counts). */
async function diskBytes(dir: string): Promise<number> {
  const seen = new Set<number>();
  let bytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const s = await stat(join(e.parentPath, e.name));
    if (seen.has(s.ino)) continue;
    seen.add(s.ino);
    bytes += s.blocks * 512;
  }
  return bytes;
}

const n = Number(process.argv[2] ?? 10_000);
/** One-post releases in a row, as a scheduled pipeline makes them. */
const RELEASES = Number(process.env.BENCH_RELEASES ?? 48);
const dir = await mkdtemp(join(tmpdir(), `zhengce-bench-${n}-`));
try {
  await buildCorpus(dir, n);
  // BENCH_CSV_MAX_ROWS=1 publishes every multi-part table's CSV in parts, so unchanged CSV parts are linked too.
  const csvMaxRows = process.env.BENCH_CSV_MAX_ROWS === undefined ? {} : { csv_max_rows: Number(process.env.BENCH_CSV_MAX_ROWS) };
  const config = validatePipeline({ id: `bench-${n}`, source: { type: 'dir', path: 'posts' }, publish: csvMaxRows }, 'bench');
  const pipeline = { file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') };
  const t0 = performance.now();
  const workers = process.env.BENCH_WORKERS === undefined ? undefined : Number(process.env.BENCH_WORKERS);
  const result = await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {}, workers });
  const total = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  const noChange = (performance.now() - t1) / 1000;
  const firstRss = process.resourceUsage().maxRSS * 1024;
  const firstBytes = await diskBytes(join(dir, 'output', 'releases', result.releaseId!));
  const outputBytes = await diskBytes(join(dir, 'output'));
  // One-post releases: each run changes one post (its file now holds another bundled post), as a scheduled run usually does.
  const onePost: number[] = [];
  const originals = (await readdir(join(dir, 'originals'))).sort();
  const posts = (await readdir(join(dir, 'posts', '000'))).sort();
  for (let i = 0; i < RELEASES; i++) {
    await rm(join(dir, 'posts', '000', posts[i]));
    await copyFile(join(dir, 'originals', originals[(i + 1) % originals.length]), join(dir, 'posts', '000', posts[i]));
    const t = performance.now();
    const r = await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
    onePost.push((performance.now() - t) / 1000);
    if (!r.releaseId) throw new Error(`one-post run ${i} published nothing`);
  }
  const afterBytes = await diskBytes(join(dir, 'output'));
  // 1 % of the posts changed at once, spread over the corpus.
  const step = 100;
  for (let i = RELEASES; i < n; i += step) {
    const folder = join(dir, 'posts', String(Math.floor(i / 1000)).padStart(3, '0'));
    const name = (await readdir(folder)).find((f) => f.startsWith(String(i).padStart(6, '0')))!;
    await rm(join(folder, name));
    await copyFile(join(dir, 'originals', originals[(i + 7) % originals.length]), join(folder, name));
  }
  const t2 = performance.now();
  await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  const onePercent = (performance.now() - t2) / 1000;
  const rss = process.resourceUsage().maxRSS * 1024;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      posts: n, seconds: total, stagedRows: result.stagedRows, durations: result.durations, noChangeSeconds: noChange, noChangeRelease: again.releaseId, peakRssBytes: firstRss,
      onePostSeconds: median(onePost), onePostMax: Math.max(...onePost), onePercentSeconds: onePercent, releases: RELEASES, firstReleaseBytes: firstBytes, outputBytes, grownBytes: afterBytes - outputBytes, seriesPeakRssBytes: rss,
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
