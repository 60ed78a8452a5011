// A 5 × 800-item plan, then its reworded revision, each run in its own process so the second run's
// peak RSS is its own: `tsx bench/revision.ts <dir> <1|2>` runs version 1 or 2 of the post in <dir>.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { revisedPlan } from '../tests/helpers/revised-plan.ts';

const run = promisify(execFile);
const HEAP_CAP = '--max-old-space-size=512';

interface Measured {
  seconds: number;
  status: string;
  published: boolean;
  durations: { extract: number; compare: number; publish: number };
  peakRssBytes: number;
}

/** Writes version `v` of the plan into `dir`/posts and runs the pipeline once. */
async function runVersion(dir: string, v: 1 | 2): Promise<Measured> {
  const plan = revisedPlan(5, 800);
  await mkdir(join(dir, 'posts'), { recursive: true });
  await writeFile(join(dir, 'posts', 'plan.md'), v === 1 ? plan.v1 : plan.v2);
  const config = validatePipeline({ id: 'bench-revision', source: { type: 'dir', path: 'posts' } }, 'bench');
  const t0 = performance.now();
  const r = await runPipeline({ file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') }, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  return { seconds: (performance.now() - t0) / 1000, status: r.status, published: r.releaseId !== null, durations: r.durations, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

export async function benchRevision(): Promise<Measured & { bytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-bench-revision-'));
  try {
    const once = async (v: 1 | 2): Promise<Measured> => {
      // Started like the deploy recipes start zhengce: with V8's old space capped (README, Operations).
      const { stdout } = await run(process.execPath, [HEAP_CAP, join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), import.meta.filename, dir, String(v)], {
        maxBuffer: 1 << 20,
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!);
    };
    await once(1);
    return { ...(await once(2)), bytes: Buffer.byteLength(revisedPlan(5, 800).v2) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, v] = process.argv.slice(2);
  console.log(JSON.stringify(dir ? await runVersion(dir, v === '1' ? 1 : 2) : await benchRevision()));
}
