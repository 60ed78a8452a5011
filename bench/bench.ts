// `npm run bench`: every performance figure the issues name, on this machine, printed as a table.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchChanges } from './changes.ts';
import { benchExtract } from './extract-speed.ts';
import { benchFetch } from './fetch.ts';
import { benchPublish } from './publish.ts';
import { benchRevision } from './revision.ts';
import { benchStartup } from './startup.ts';

const run = promisify(execFile);
const HEAP_CAP = '--max-old-space-size=512';
const HERE = import.meta.dirname;
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);

/** A scaled end-to-end run in its own process, so its peak RSS is its own. */
interface ScaleResult {
  posts: number;
  seconds: number;
  stagedRows: number;
  durations: { extract: number };
  noChangeSeconds: number;
  peakRssBytes: number;
  onePostSeconds: number;
  onePostMax: number;
  onePercentSeconds: number;
  releases: number;
  firstReleaseBytes: number;
  grownBytes: number;
  seriesPeakRssBytes: number;
}

async function scale(posts: number): Promise<ScaleResult> {
  // Started like the deploy recipes start zhengce: with V8's old space capped (README, Operations).
  const { stdout } = await run(process.execPath, [HEAP_CAP, join(HERE, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'scale.ts'), String(posts)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

const rows: [string, string, string][] = [];
const report = (what: string, value: string, target: string) => {
  rows.push([what, value, target]);
  console.log(`${what}: ${value} (target ${target})`);
};

const startup = await benchStartup();
report('start-up: `zhengce --help`, whole process (median of 5)', `${startup.helpSeconds.toFixed(2)} s`, '≤ 0.3 s');
report('start-up: `zhengce status` of the sample, whole process (median of 5)', `${startup.statusSeconds.toFixed(2)} s`, '≤ 0.4 s');
report('no-change run of the sample, whole process (median of 5)', `${startup.noChangeSeconds.toFixed(2)} s`, '≤ 0.7 s');
const extract = await benchExtract(join(HERE, '..', 'pipelines', 'sample', 'posts'));
report('parse+extract, one thread, bundled posts', `${Math.round(extract.postsPerSecond)} posts/s (${extract.mbPerSecond.toFixed(1)} MB/s)`, '≥ 2,000 posts/s');
for (const n of sizes) {
  const s = await scale(n);
  report(`${n.toLocaleString('en')} posts end to end (dir source)`, `${s.seconds.toFixed(1)} s, ${Math.round(n / s.seconds)} posts/s`, n >= 100_000 ? '≤ 90 s' : '—');
  report(`${n.toLocaleString('en')} posts: rows into DuckDB while extracting`, `${Math.round(s.stagedRows / (s.durations.extract / 1000)).toLocaleString('en')} rows/s (${s.stagedRows.toLocaleString('en')} rows)`, '—');
  report(`${n.toLocaleString('en')} posts: peak RSS`, `${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`, '≤ 1 GiB, flat');
  report(`${n.toLocaleString('en')} posts: no-change rerun (a stat per unchanged file)`, `${s.noChangeSeconds.toFixed(1)} s`, n >= 100_000 ? '≤ 2 s' : '—');
  report(`${n.toLocaleString('en')} posts: one changed post, whole run (median of ${s.releases})`, `${s.onePostSeconds.toFixed(1)} s (max ${s.onePostMax.toFixed(1)} s)`, n >= 100_000 ? '≤ 5 s' : '≤ 2 s');
  report(`${n.toLocaleString('en')} posts: 1 % of posts changed`, `${s.onePercentSeconds.toFixed(1)} s = ${Math.round((100 * s.onePercentSeconds) / s.seconds)} % of the first build`, '≤ 10 %');
  report(`${n.toLocaleString('en')} posts: ${s.releases} one-post releases add`, `${(s.grownBytes / 2 ** 20).toFixed(0)} MiB = ${((100 * s.grownBytes) / s.firstReleaseBytes).toFixed(1)} % of the first release (${(s.firstReleaseBytes / 2 ** 20).toFixed(0)} MiB)`, '≤ 10 %');
  report(`${n.toLocaleString('en')} posts: peak RSS over the release series`, `${(s.seriesPeakRssBytes / 2 ** 20).toFixed(0)} MiB`, '≤ 1 GiB');
}
// Search at 10,000 documents, in its own process (Pagefind's binary, a Chromium): the index against the first build, and a query.
const searchPosts = Number(process.env.BENCH_SEARCH_POSTS ?? 10_000);
const { stdout: searchOut } = await run(process.execPath, [HEAP_CAP, join(HERE, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'search.ts'), String(searchPosts)], { maxBuffer: 1 << 20 });
const search = JSON.parse(searchOut.trim().split('\n').at(-1)!) as import('./search.ts').SearchBench;
report(`${searchPosts.toLocaleString('en')} posts: full-text search index, every shard (as a first release)`, `${search.indexSeconds.toFixed(1)} s = ${Math.round((100 * search.indexSeconds) / search.firstBuildSeconds)} % of the first build (${search.firstBuildSeconds.toFixed(1)} s)`, '≤ 10 %');
report(`${searchPosts.toLocaleString('en')} posts: search index of a one-post release (one shard, ${search.shardDocuments} documents)`, `${search.shardSeconds.toFixed(1)} s = ${Math.round((100 * search.shardSeconds) / search.firstBuildSeconds)} % of the first build`, '≤ 10 %');
report(`${searchPosts.toLocaleString('en')} posts: a query in Chromium`, `first (?q=, from navigation) ${Math.round(search.firstQueryMs)} ms, warm ${search.warmQueryMs} ms`, '≤ 0.5 s');
const fetch = await benchFetch();
report(`github source, first run of ${fetch.posts.toLocaleString('en')} posts (finews's shape, loopback replica)`, `${fetch.firstRunPostsPerSecond} posts/s, ${fetch.firstRunRequests.toLocaleString('en')} requests`, '≥ 500 posts/s');
report('no-change github run, source only (one 304)', `${fetch.noChangeSeconds} s, ${fetch.noChangeRequests} request(s)`, '≤ 1 s, ≤ 2 requests');
report('no-change github run, whole pipeline', `${fetch.noChangePipelineSeconds} s, ${fetch.noChangePipelineRequests} request(s)`, '≤ 1 s, ≤ 2 requests');
report('move-only github run (300 posts _posts/ → old_post/)', `${fetch.moveOnlyDownloads} downloads, ${fetch.moveOnlyRequests} requests, ${fetch.moveOnlyPostsReread} posts re-read from raw/`, '0 downloads, no content version');
const changes = await benchChanges();
report(`change computation, 2 × ${changes.rows.toLocaleString('en')} provision rows`, `${changes.seconds} s (${changes.changes.toLocaleString('en')} changes)`, '≤ 2 s');
const revision = await benchRevision();
report(`revision of a 5 × 800-item plan (${Math.round(revision.bytes / 1024)} KB): second run`, `${revision.seconds.toFixed(1)} s (compare ${(revision.durations.compare / 1000).toFixed(1)} s, publish ${(revision.durations.publish / 1000).toFixed(1)} s), peak RSS ${(revision.peakRssBytes / 2 ** 20).toFixed(0)} MiB (${revision.status}${revision.published ? '' : ', nothing published'})`, '≤ 30 s, ≤ 1 GiB');
const publish = await benchPublish();
report(`publish (CSV via csv-stringify + Parquet), ${publish.rows.toLocaleString('en')} provision rows`, `${publish.publishSeconds} s vs raw COPY ${publish.copySeconds} s = ${publish.ratio}×`, '≤ 2×');

console.log(`\n| measure | result | target |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
