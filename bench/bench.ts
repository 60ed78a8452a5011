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

/** A release series at scale in its own process (bench/scale.ts), so its peak RSS is its own. */
async function scale(kind: 'dated' | 'undated', posts: number): Promise<Record<string, number & string[]>> {
  // Started like the deploy recipes start zhengce: with V8's old space capped (README, Operations).
  const { stdout } = await run(process.execPath, [HEAP_CAP, join(HERE, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'scale.ts'), kind, String(posts)], { maxBuffer: 1 << 20 });
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
report(
  'no-change run of the sample, whole process (median of 5)',
  `${startup.noChangeSeconds.toFixed(2)} s = ${(startup.noChangeSeconds / startup.nodeSeconds).toFixed(1)}× \`node -e 0\` (${startup.nodeSeconds.toFixed(2)} s)`,
  '≤ 5× node -e 0',
);
const extract = await benchExtract(join(HERE, '..', 'pipelines', 'sample', 'posts'));
report('parse+extract, one thread, bundled posts', `${Math.round(extract.postsPerSecond)} posts/s (${extract.mbPerSecond.toFixed(1)} MB/s)`, '≥ 2,000 posts/s');
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
for (const n of sizes) {
  const s = await scale('dated', n);
  const label = `${n.toLocaleString('en')} dated posts`;
  report(`${label}: first build`, `${s.firstSeconds.toFixed(1)} s, ${mib(s.firstBytes)} on disk, peak RSS ${mib(s.firstRssBytes)}`, '—');
  report(
    `${label}: a run adding 5 new posts (median of 9)`,
    `${s.newRunMedianSeconds.toFixed(2)} s = ${pct(s.newRunMedianSeconds, s.firstSeconds)} of the first build (max ${s.newRunMaxSeconds.toFixed(2)} s)`,
    n >= 100_000 ? '≤ 2 %' : '≤ 5 %',
  );
  report(
    `${label}: a run adding 5 posts and editing a 2022 post (median of 3)`,
    `${s.editRunMedianSeconds.toFixed(2)} s = ${pct(s.editRunMedianSeconds, s.firstSeconds)} (max ${s.editRunMaxSeconds.toFixed(2)} s)`,
    '≤ 10 %',
  );
  report(`${label}: a no-change run`, `${s.noChangeSeconds.toFixed(2)} s = ${pct(s.noChangeSeconds, s.firstSeconds)}`, '≤ 3 %');
  report(
    `${label}: the 12 releases add`,
    `${mib(s.grownBytes)} = ${pct(s.grownBytes, s.firstBytes)} of the first output; ${s.releases} releases, ${s.invalid.length} failing validate`,
    '≤ 10 %, all valid',
  );
  report(`${label}: peak RSS over the series`, mib(s.peakRssBytes), '≤ 1 GiB');
}
for (const n of sizes.filter((x) => x <= 10_000)) {
  const s = await scale('undated', n);
  const label = `${n.toLocaleString('en')} undated posts (35 dates)`;
  report(
    `${label}: a one-post edit (median of 3)`,
    `${s.editRunMedianSeconds.toFixed(2)} s = ${pct(s.editRunMedianSeconds, s.firstSeconds)} of the first build (${s.firstSeconds.toFixed(1)} s)`,
    '≤ 10 %',
  );
  report(`${label}: the 3 releases add`, `${mib(s.grownBytes)} = ${pct(s.grownBytes, s.firstBytes)} of the first output (${mib(s.firstBytes)})`, '≤ 10 %');
}
// Search at 10,000 documents, in its own process (Pagefind's binary, a Chromium): the index against the first build, and a query.
const searchPosts = Number(process.env.BENCH_SEARCH_POSTS ?? 10_000);
const { stdout: searchOut } = await run(process.execPath, [HEAP_CAP, join(HERE, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'search.ts'), String(searchPosts)], { maxBuffer: 1 << 20 });
const search = JSON.parse(searchOut.trim().split('\n').at(-1)!) as import('./search.ts').SearchBench;
report(
  `${searchPosts.toLocaleString('en')} posts: full-text search index, every shard (as a first release)`,
  `${search.indexSeconds.toFixed(1)} s = ${Math.round((100 * search.indexSeconds) / search.firstBuildSeconds)} % of the first build (${search.firstBuildSeconds.toFixed(1)} s)`,
  '≤ 10 %',
);
report(
  `${searchPosts.toLocaleString('en')} posts: search index of a one-post release (one shard, ${search.shardDocuments} documents)`,
  `${search.shardSeconds.toFixed(1)} s = ${Math.round((100 * search.shardSeconds) / search.firstBuildSeconds)} % of the first build`,
  '≤ 10 %',
);
report(`${searchPosts.toLocaleString('en')} posts: a query in Chromium`, `first (?q=, from navigation) ${Math.round(search.firstQueryMs)} ms, warm ${search.warmQueryMs} ms`, '≤ 0.5 s');
const fetch = await benchFetch();
report(
  `github source, first run of ${fetch.posts.toLocaleString('en')} posts (finews's shape, loopback replica)`,
  `${fetch.firstRunPostsPerSecond} posts/s, ${fetch.firstRunRequests.toLocaleString('en')} requests`,
  '≥ 500 posts/s',
);
report('no-change github run, source only (one 304)', `${fetch.noChangeSeconds} s, ${fetch.noChangeRequests} request(s)`, '≤ 1 s, ≤ 2 requests');
report('no-change github run, whole pipeline', `${fetch.noChangePipelineSeconds} s, ${fetch.noChangePipelineRequests} request(s)`, '≤ 1 s, ≤ 2 requests');
report(
  'move-only github run (300 posts _posts/ → old_post/)',
  `${fetch.moveOnlyDownloads} downloads, ${fetch.moveOnlyRequests} requests, ${fetch.moveOnlyPostsReread} posts re-read from raw/, release ${fetch.moveOnlyRelease ?? 'none'}`,
  "0 downloads, a release rewriting the moved documents' parts",
);
const changes = await benchChanges();
report(`change computation, 2 × ${changes.rows.toLocaleString('en')} provision rows`, `${changes.seconds} s (${changes.changes.toLocaleString('en')} changes)`, '≤ 2 s');
const revision = await benchRevision();
report(
  `revision of a 5 × 800-item plan (${Math.round(revision.bytes / 1024)} KB): second run`,
  `${revision.seconds.toFixed(1)} s (compare ${(revision.durations.compare / 1000).toFixed(1)} s, publish ${(revision.durations.publish / 1000).toFixed(1)} s), peak RSS ${(revision.peakRssBytes / 2 ** 20).toFixed(0)} MiB (${revision.status}${revision.published ? '' : ', nothing published'})`,
  '≤ 30 s, ≤ 1 GiB',
);
const publish = await benchPublish();
report(
  `publish (CSV via csv-stringify + Parquet), ${publish.rows.toLocaleString('en')} provision rows`,
  `${publish.publishSeconds} s vs raw COPY ${publish.copySeconds} s = ${publish.ratio}×`,
  '≤ 2×',
);

console.log(`\n| measure | result | target |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
