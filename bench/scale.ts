// A release series at scale, in its own process so its peak RSS is its own:
//   tsx bench/scale.ts dated <posts>    a feed dated from 2021-01-01 to now, then 12 scheduled runs (5 new posts each,
//                                       every 4th also editing a 2022 post) and a no-change run
//   tsx bench/scale.ts undated <posts>  the bundled posts hard-linked under new names (their 35 posts' dates, so a month
//                                       holds thousands of documents: the adversarial case), then 3 one-post edits
// Every run goes through runPipelineOnce, as `zhengce run` does (lock, the source asked first, status.json).
import { copyFile, link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { validatePipeline, type Pipeline } from '../src/pipeline/config.ts';
import { runPipelineOnce } from '../src/pipeline/operate.ts';
import { checkRelease } from '../src/pipeline/releases.ts';
import { datedPost, feedStep, revise, writeDatedPosts } from './dated-corpus.ts';

const SAMPLE = join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts');

/** Bytes on disk under `dir`, each hard-linked file counted once (as `du` counts). */
export async function diskBytes(dir: string): Promise<number> {
  const seen = new Set<number>();
  let bytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() && !e.isDirectory()) continue;
    const s = await stat(join(e.parentPath, e.name));
    if (seen.has(s.ino)) continue;
    seen.add(s.ino);
    bytes += s.blocks * 512;
  }
  return bytes;
}

interface Timed {
  seconds: number;
  releaseId: string | null;
  rssBytes: number;
}

async function timedRun(pipeline: Pipeline): Promise<Timed> {
  const t = performance.now();
  const run = await runPipelineOnce(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  return { seconds: (performance.now() - t) / 1000, releaseId: run.release_id, rssBytes: process.resourceUsage().maxRSS * 1024 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Release ids are to the second: a run in the same second as the last waits its turn. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

async function dated(dir: string, n: number) {
  const posts = join(dir, 'posts');
  const step = feedStep(n, new Date());
  await writeDatedPosts(posts, 0, n, step);
  const pipeline: Pipeline = { file: 'bench', config: validatePipeline({ id: 'bench', source: { type: 'dir', path: 'posts' } }, 'bench'), cwd: dir, outputDir: join(dir, 'output') };
  const first = await timedRun(pipeline);
  const firstBytes = await diskBytes(pipeline.outputDir);
  // The 2022 posts a revision may touch: the feed's posts dated in 2022 that carry a body to revise.
  const in2022 = Array.from({ length: n }, (_, i) => i).filter((i) => new Date(Date.UTC(2020, 11, 31, 16) + i * step).getUTCFullYear() === 2022);
  const runs: { kind: 'new' | 'edit'; seconds: number }[] = [];
  let next = n;
  for (let k = 1; k <= 12; k++) {
    await writeDatedPosts(posts, next, next + 5, step);
    next += 5;
    const edit = k % 4 === 0;
    if (edit) {
      const i = in2022[(k * 97) % in2022.length];
      const post = await datedPost(i, step);
      const file = join(posts, String(Math.floor(i / 1000)).padStart(4, '0'), post.name);
      await writeFile(file, revise(await readFile(file, 'utf8'), k));
    }
    await nextSecond();
    const r = await timedRun(pipeline);
    if (!r.releaseId) throw new Error(`run ${k} published nothing`);
    runs.push({ kind: edit ? 'edit' : 'new', seconds: r.seconds });
  }
  const noChange = await timedRun(pipeline);
  if (noChange.releaseId) throw new Error('the no-change run published a release');
  const grownBytes = (await diskBytes(pipeline.outputDir)) - firstBytes;
  const releases = (await readdir(join(pipeline.outputDir, 'releases'))).filter((r) => !r.startsWith('.'));
  const invalid: string[] = [];
  for (const id of releases) {
    const { report } = await checkRelease(join(pipeline.outputDir, 'releases', id), { cwd: dir });
    if (report.problems.length) invalid.push(`${id}: ${report.problems.slice(0, 3).join('; ')}`);
  }
  const newRuns = runs.filter((r) => r.kind === 'new').map((r) => r.seconds);
  const editRuns = runs.filter((r) => r.kind === 'edit').map((r) => r.seconds);
  return {
    corpus: 'dated',
    posts: n,
    firstSeconds: first.seconds,
    firstBytes,
    firstRssBytes: first.rssBytes,
    newRunMedianSeconds: median(newRuns),
    newRunMaxSeconds: Math.max(...newRuns),
    editRunMedianSeconds: median(editRuns),
    editRunMaxSeconds: Math.max(...editRuns),
    noChangeSeconds: noChange.seconds,
    grownBytes,
    releases: releases.length,
    invalid,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** N posts with distinct ids, as hard links to the bundled posts (their own 35 posts' dates) so the corpus costs no disk. */
async function undated(dir: string, n: number) {
  const names = (await readdir(SAMPLE)).sort();
  const originals = join(dir, 'originals');
  await mkdir(originals, { recursive: true });
  for (const name of names) await copyFile(join(SAMPLE, name), join(originals, name));
  const folder = (i: number) => join(dir, 'posts', String(Math.floor(i / 1000)).padStart(3, '0'));
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) await mkdir(folder(i), { recursive: true });
    await link(join(originals, names[i % names.length]), join(folder(i), `${String(i).padStart(6, '0')}-${names[i % names.length]}`));
  }
  const pipeline: Pipeline = { file: 'bench', config: validatePipeline({ id: 'bench', source: { type: 'dir', path: 'posts' } }, 'bench'), cwd: dir, outputDir: join(dir, 'output') };
  const first = await timedRun(pipeline);
  const firstBytes = await diskBytes(pipeline.outputDir);
  const edits: number[] = [];
  for (let k = 0; k < 3; k++) {
    // One post's file now holds another bundled post: an edit, as a scheduled run usually brings.
    const i = 1 + k * 997;
    const name = `${String(i).padStart(6, '0')}-${names[i % names.length]}`;
    await rm(join(folder(i), name));
    await copyFile(join(originals, names[(i + 1) % names.length]), join(folder(i), name));
    await nextSecond();
    const r = await timedRun(pipeline);
    if (!r.releaseId) throw new Error(`edit ${k} published nothing`);
    edits.push(r.seconds);
  }
  return {
    corpus: 'undated',
    posts: n,
    firstSeconds: first.seconds,
    firstBytes,
    editRunMedianSeconds: median(edits),
    editRunMaxSeconds: Math.max(...edits),
    grownBytes: (await diskBytes(pipeline.outputDir)) - firstBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const [kind = 'dated', size = '10000'] = process.argv.slice(2);
const dir = await mkdtemp(join(tmpdir(), `zhengce-bench-${kind}-${size}-`));
try {
  console.log(JSON.stringify(kind === 'undated' ? await undated(dir, Number(size)) : await dated(dir, Number(size))));
} finally {
  await rm(dir, { recursive: true, force: true });
}
