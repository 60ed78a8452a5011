// One scaled end-to-end run in its own process, so its peak RSS is its own: `tsx bench/scale.ts <posts>`.
import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
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

const n = Number(process.argv[2] ?? 10_000);
const dir = await mkdtemp(join(tmpdir(), `zhengce-bench-${n}-`));
try {
  await buildCorpus(dir, n);
  const config = validatePipeline({ id: `bench-${n}`, source: { type: 'dir', path: 'posts' } }, 'bench');
  const pipeline = { file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') };
  const t0 = performance.now();
  const workers = process.env.BENCH_WORKERS === undefined ? undefined : Number(process.env.BENCH_WORKERS);
  const result = await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {}, workers });
  const total = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  const noChange = (performance.now() - t1) / 1000;
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ posts: n, seconds: total, stagedRows: result.stagedRows, durations: result.durations, noChangeSeconds: noChange, noChangeRelease: again.releaseId, peakRssBytes: rss }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
