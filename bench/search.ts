// Full-text search at scale, in its own process: `tsx bench/search.ts <posts>` prints one JSON line.
// The first build of N posts (the scale corpus), the whole search index rebuilt alone, one shard rebuilt alone (what a
// one-post release costs), and a query in Chromium against `zhengce serve`'s server: first (?q= in the address) and warm.
import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { noProgress, silentLogger, systemClock } from '../src/core/effects.ts';
import { validatePipeline } from '../src/pipeline/config.ts';
import { openStore, runPipeline } from '../src/pipeline/run.ts';
import { searchShard, writeSearchIndex } from '../src/site/search.ts';
import { serveSite } from '../src/site/serve.ts';
import { searchFingerprints, searchTexts } from '../src/store/publication.ts';
import { launchBrowser, openPage } from '../tests/helpers/browser.ts';

const SAMPLE = join(import.meta.dirname, '..', 'pipelines', 'sample', 'posts');

/** N posts with distinct ids, as hard links to the bundled posts (the corpus of bench/scale.ts). */
async function buildCorpus(dir: string, n: number): Promise<void> {
  const names = (await readdir(SAMPLE)).sort();
  await mkdir(join(dir, 'originals'), { recursive: true });
  for (const name of names) await copyFile(join(SAMPLE, name), join(dir, 'originals', name));
  await mkdir(join(dir, 'posts'), { recursive: true });
  for (let i = 0; i < n; i++) await link(join(dir, 'originals', names[i % names.length]), join(dir, 'posts', `${String(i).padStart(6, '0')}-${names[i % names.length]}`));
}

export interface SearchBench {
  posts: number;
  firstBuildSeconds: number;
  indexSeconds: number;
  shardSeconds: number;
  shardDocuments: number;
  firstQueryMs: number;
  warmQueryMs: number;
}

const n = Number(process.argv[2] ?? 10_000);
const dir = await mkdtemp(join(tmpdir(), `zhengce-bench-search-${n}-`));
try {
  await buildCorpus(dir, n);
  const config = validatePipeline({ id: `bench-search-${n}`, source: { type: 'dir', path: 'posts' } }, 'bench');
  const pipeline = { file: 'bench', config, cwd: dir, outputDir: join(dir, 'output') };
  const t0 = performance.now();
  await runPipeline(pipeline, { clock: systemClock, logger: silentLogger, progress: noProgress, env: {} });
  const firstBuildSeconds = (performance.now() - t0) / 1000;
  // The index alone, every shard built (as a first release does), and one shard (as a one-post release does).
  const store = await openStore(pipeline);
  let indexSeconds: number;
  let shardSeconds: number;
  let shardDocuments: number;
  try {
    const documents = await searchFingerprints(store);
    const t1 = performance.now();
    await writeSearchIndex({ dir: join(dir, 'index-all'), parentDir: null, documents, texts: (ids) => searchTexts(store, ids) });
    indexSeconds = (performance.now() - t1) / 1000;
    const one = documents.filter((d) => searchShard(d.doc_id, documents.length) === searchShard(documents[0].doc_id, documents.length));
    shardDocuments = one.length;
    const t2 = performance.now();
    await writeSearchIndex({ dir: join(dir, 'index-one'), parentDir: null, documents: one, texts: (ids) => searchTexts(store, ids) });
    shardSeconds = (performance.now() - t2) / 1000;
  } finally {
    store.close();
  }
  const site = await serveSite(pipeline.outputDir, 0);
  const browser = await launchBrowser();
  let firstQueryMs: number;
  let warmQueryMs: number;
  try {
    const w = await openPage(browser, `${site.url}latest/index.html?q=${encodeURIComponent('数据要素')}`, { screenshots: dir });
    await w.waitFor('#search-results[data-ready="数据要素"]', 120_000);
    // From the start of navigation to the results drawn: loading Pagefind, merging the shards, the query itself.
    firstQueryMs = await w.page.evaluate(() => performance.now());
    const t3 = Date.now();
    await w.page.$eval('#q', (e) => ((e as HTMLInputElement).value = '国务院办公厅'));
    await w.page.click('#search-form button');
    await w.page.waitForFunction(() => document.querySelector('#search-results')?.getAttribute('data-ready') === '国务院办公厅', { timeout: 60_000 });
    warmQueryMs = Date.now() - t3;
  } finally {
    await browser.close();
    await site.close();
  }
  const result: SearchBench = { posts: n, firstBuildSeconds, indexSeconds, shardSeconds, shardDocuments, firstQueryMs, warmQueryMs };
  console.log(JSON.stringify(result));
} finally {
  await rm(dir, { recursive: true, force: true });
}
