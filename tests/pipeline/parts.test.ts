// Releases in parts, as a feed grows: 300 dated posts, then the runs a scheduled pipeline makes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Package } from 'datapackage';
import { parse } from 'csv-parse/sync';
import { datedPost, feedStep, revise, writeDatedPosts } from '../../bench/dated-corpus.ts';
import { partsGlob } from '../../src/core/layout.ts';
import { TABLES, VERSIONED, type TableSpec } from '../../src/core/tables.ts';
import { checkRelease, compareReleases, exportTables } from '../../src/pipeline/releases.ts';
import { makeWorkspace, ROOT, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { inFolder, query } from '../helpers/duckdb.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';
import { validate } from '../helpers/validate.ts';

const REVISIONS = join(ROOT, 'tests', 'fixtures', 'revisions');
const POSTS = ['govcn-2019-02-13-content_5365341.html', 'govcn-2018-12-24-content_5351607.html', '2022-01-06-202201062238656632.md'].map((p) => join(SAMPLE_POSTS, p));

async function releaseIds(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).filter((n) => !n.startsWith('.')).sort();
}

/** Every file under `dir` (relative path) with its inode and mtime. */
async function inodes(dir: string): Promise<Map<string, { ino: number; mtimeMs: number }>> {
  const out = new Map<string, { ino: number; mtimeMs: number }>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const s = await stat(path);
    out.set(path.slice(dir.length + 1), { ino: s.ino, mtimeMs: s.mtimeMs });
  }
  return out;
}

/** Rows of `a` not in `b` plus rows of `b` not in `a`: 0 when the two relations hold the same rows. */
async function difference(a: string, b: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(`SELECT (SELECT count(*) FROM (${a} EXCEPT ALL ${b})) + (SELECT count(*) FROM (${b} EXCEPT ALL ${a})) AS n`);
  return Number(n);
}

/** Each run a second after the one before it: the next release gets its own id (a UTC second) with no wait. */
const clock = new RunClock();

/** One run of the pipeline (in process), which must publish; its log lines. */
async function run(ws: { cwd: string; file: string }): Promise<string> {
  const r = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return r.stdout;
}

/** Which files of release `b` are the very files (inodes) of release `a`. */
async function linkedFrom(a: string, b: string): Promise<{ linked: Set<string>; written: Set<string> }> {
  const [x, y] = [await inodes(a), await inodes(b)];
  const linked = new Set([...y.keys()].filter((p) => x.get(p)?.ino === y.get(p)!.ino));
  return { linked, written: new Set([...y.keys()].filter((p) => !linked.has(p))) };
}

const documentTables = TABLES.filter((t) => t.columns.some((c) => c.name === 'doc_id') && t.scope !== 'whole' && t.scope !== 'release');

describe('a feed of 300 dated posts: each release writes the parts it changed and links every other', () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  let r: string[];
  const dir = (id: string) => join(ws.out, 'releases', id);
  // 300 posts from 2021-01-01 to 2021-03-20: about 100 a month, so a month holds two parts of 64.
  const step = feedStep(300, new Date('2021-03-20T00:00:00+08:00'));
  let edited: string;

  before(async () => {
    ws = await makeWorkspace({ posts: [] });
    await mkdir(ws.postsDir, { recursive: true });
    await writeDatedPosts(ws.postsDir, 0, 300, step);
    await run(ws);
    // r2: five new posts, dated after the newest.
    await writeDatedPosts(ws.postsDir, 300, 305, step);
    await run(ws);
    // r3: an edit of a January post.
    const post = await datedPost(40, step);
    edited = (await readdir(join(ws.postsDir, '0000'))).find((n) => n === post.name)!;
    await writeFile(join(ws.postsDir, '0000', edited), revise(post.text, 1));
    await run(ws);
    // r4: a post dated back in January, among the others: the January parts after it shift by one.
    const late = await datedPost(10, step);
    await writeFile(join(ws.postsDir, '0000', `late-${late.name}`), late.text);
    await run(ws);
    // r5: a post removed upstream.
    await rm(join(ws.postsDir, '0000', (await datedPost(150, step)).name));
    await run(ws);
    r = await releaseIds(ws.out);
    assert.equal(r.length, 5, `five releases: ${r}`);
  });

  test('new posts dated after the others rewrite only the last part of their month; every other part is the parent file itself', async () => {
    const { written } = await linkedFrom(dir(r[0]), dir(r[1]));
    const [{ part }] = await query<{ part: string }>(`SELECT DISTINCT regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS part FROM read_parquet('${dir(r[1])}/documents/*.parquet', filename = true)
      WHERE source_id IN (SELECT source_id FROM read_parquet('${dir(r[1])}/documents/*.parquet') ORDER BY published_at DESC LIMIT 5)`);
    assert.equal(part, '2021-03_002', 'the five new posts fill the second part of March');
    const data = [...written].filter((f) => /\.(parquet|csv)$/.test(f) && !f.startsWith('schemas/') && f !== 'rejects.csv');
    for (const f of data) assert.match(f, /(^|\/)(2021-03_002|all)\.(parquet|csv)$/, `${f}: only the new posts' part and the whole tables are written`);
    for (const t of documentTables) {
      const parts = await readdir(join(dir(r[1]), t.name));
      for (const p of parts.filter((x) => x !== '2021-03_002.parquet')) assert.ok(!written.has(`${t.name}/${p}`), `${t.name}/${p} is linked`);
    }
    assert.ok(written.has('documents/2021-03_002.parquet') && written.has('csv/documents/2021-03_002.csv'));
  });

  test("an edit rewrites only the edited document's part, and only in the tables that changed", async () => {
    const { written } = await linkedFrom(dir(r[1]), dir(r[2]));
    const [{ part }] = await query<{ part: string }>(
      `SELECT regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS part FROM read_parquet('${dir(r[2])}/documents/*.parquet', filename = true) WHERE source_id = '0000/${edited.replace(/\.md$|\.html$/, '')}'`,
    );
    assert.match(part, /^2021-01_00\d$/);
    const dataParts = [...written].filter((f) => /^(csv\/)?[a-z_]+\/[^/]+\.(parquet|csv)$/.test(f) && !f.startsWith('schemas/'));
    for (const f of dataParts) assert.match(f, new RegExp(`/(${part}|all)\\.(parquet|csv)$`), `${f}`);
    assert.ok(written.has(`documents/${part}.parquet`) && written.has(`document_versions/${part}.parquet`));
  });

  test("a post dated back among the others shifts its month's later parts, and every release stays exact", async () => {
    const { written } = await linkedFrom(dir(r[2]), dir(r[3]));
    assert.ok(written.has('documents/2021-01_001.parquet') && written.has('documents/2021-01_002.parquet'), [...written].join(' '));
    assert.ok(!written.has('documents/2021-02_001.parquet'), 'other months are linked');
    const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
    for (const id of r) {
      for (const t of VERSIONED) {
        const release = `SELECT * FROM '${dir(id)}/${t.name}/*.parquet'`;
        const rows = await inFolder(ws.cwd, () =>
          query<{ n: number }>(
            `${views} SELECT (SELECT count(*) FROM (SELECT * FROM ${t.name}_as_of('${id}') EXCEPT ALL ${release})) + (SELECT count(*) FROM (${release} EXCEPT ALL SELECT * FROM ${t.name}_as_of('${id}'))) AS n`,
          ),
        );
        assert.equal(Number(rows.at(-1)!.n), 0, `${t.name} as of ${id}`);
      }
    }
  });

  test('a removed document keeps its part: its versions stay where they were', async () => {
    const versions = await query<{ status: string; part: string }>(
      `SELECT status, regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS part FROM read_parquet('${dir(r[4])}/document_versions/*.parquet', filename = true) WHERE status = 'removed'`,
    );
    assert.equal(versions.length, 1);
    assert.match(versions[0].part, /^2021-02_00\d$/);
  });

  test('every release validates; a dereferenced copy validates and loads through its views.sql; no whole-table file in a release', async () => {
    for (const id of r) {
      const { report } = await checkRelease(dir(id), { cwd: ws.cwd });
      assert.deepEqual(report.problems, [], id);
      const files = await readdir(dir(id));
      assert.ok(!files.some((f) => f.endsWith('.parquet') || (f.endsWith('.csv') && f !== 'rejects.csv')), `${id}: ${files}`);
    }
    const copy = join(ws.cwd, 'copy');
    execFileSync('cp', ['-rL', dir(r[3]), copy]);
    assert.deepEqual((await checkRelease(copy, { cwd: ws.cwd })).report.problems, []);
    const views = await readFile(join(copy, 'views.sql'), 'utf8');
    const rows = await inFolder(copy, () => query<{ n: number }>(`${views} SELECT count(*) AS n FROM documents`));
    assert.equal(Number(rows.at(-1)!.n), 306);
  });

  test('history/ only grows: no data file is ever written again (inode and mtime)', async () => {
    const now = await inodes(join(ws.out, 'history'));
    for (const id of r)
      assert.ok(
        [...now.keys()].some((p) => p.startsWith(`documents/release_id=${id}/`)),
        `${id} wrote its partition`,
      );
    const kept = join(ws.cwd, 'history-before');
    await cp(join(ws.out, 'history'), kept, { recursive: true, preserveTimestamps: true });
    const before = await inodes(join(ws.out, 'history'));
    await writeDatedPosts(ws.postsDir, 305, 306, step);
    await run(ws);
    const after = await inodes(join(ws.out, 'history'));
    for (const [path, s] of before) if (path !== 'views.sql') assert.deepEqual(after.get(path), s, `history/${path} is untouched`);
    r = await releaseIds(ws.out);
  });

  test("downloads/<table>.csv is the latest release's whole table, byte for byte what zhengce export writes", async () => {
    const manifest = JSON.parse(await readFile(join(ws.out, 'downloads', '.zhengce-downloads.json'), 'utf8')) as { release_id: string };
    assert.equal(manifest.release_id, r.at(-1));
    const out = join(ws.cwd, 'exported');
    await exportTables('latest', { pipeline: ws.file, cwd: ws.cwd, formats: ['csv'], outDir: out });
    for (const t of TABLES) {
      const download = await readFile(join(ws.out, 'downloads', `${t.name}.csv`));
      assert.deepEqual([...download.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${t.name}.csv starts with a BOM`);
      assert.ok(download.equals(await readFile(join(out, `${t.name}.csv`))), `${t.name}.csv equals the export`);
    }
    const csv = parse(await readFile(join(ws.out, 'downloads', 'documents.csv')), { bom: true, columns: true }) as unknown[];
    assert.equal(csv.length, 306);
  });

  test('a Frictionless reader (datapackage) reads every CSV part as written, and finds the rows of the Parquet parts', async () => {
    const latest = join(ws.out, 'latest');
    const pkg = await Package.load(join(latest, 'datapackage.json'), { basePath: latest });
    assert.ok(pkg.valid, JSON.stringify(pkg.errors.map((e: Error) => e.message)));
    const csv = new Map<string, unknown[][]>();
    for (const resource of pkg.resources) {
      const d = resource.descriptor as { format: string; x_table: string };
      if (d.format !== 'csv') continue;
      const rows = (await resource.read({ cast: true })) as unknown[][];
      csv.set(d.x_table, [...(csv.get(d.x_table) ?? []), ...rows]);
    }
    for (const t of TABLES) {
      const parquet = await query<Record<string, unknown>>(
        `SELECT ${t.columns.map((c) => (c.type === 'TIMESTAMPTZ' ? `epoch_ms(${c.name}) AS ${c.name}` : `"${c.name}"`)).join(', ')} FROM '${latest}/${partsGlob(t)}'`,
      );
      const norm = (v: unknown, c: TableSpec['columns'][number]): unknown => {
        if (v === null || v === undefined || v === '') return null;
        if (c.type === 'TIMESTAMPTZ') return v instanceof Date ? v.getTime() : Number(v);
        if (c.type === 'DATE') return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
        if (c.type === 'JSON') return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);
        return v;
      };
      const key = (row: unknown[]) => JSON.stringify(row);
      const fromCsv = (csv.get(t.name) ?? []).map((row) => key(row.map((v, i) => norm(v, t.columns[i])))).sort();
      const fromParquet = parquet.map((row) => key(t.columns.map((c) => norm(row[c.name], c)))).sort();
      assert.deepEqual(fromCsv, fromParquet, `${t.name}: the CSV parts hold the Parquet parts' rows`);
    }
  });
});

test("a plan's new post writes its own page only: the plan's other pages list its first 20 posts, rendered the same and linked", async () => {
  // 22 reposts of one plan's news, a day apart, then a 23rd: a page listing a count of all posts would change on every one of them.
  const ws = await makeWorkspace({ posts: [] });
  await mkdir(ws.postsDir, { recursive: true });
  const text = await readFile(join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md'), 'utf8');
  const repost = (k: number) => writeFile(join(ws.postsDir, `repost-${String(k).padStart(2, '0')}.md`), text.replace(/^date: .*$/m, `date: 2022-01-${String(k + 1).padStart(2, '0')} 15:04:39 +0800`));
  for (let k = 0; k < 22; k++) await repost(k);
  await run(ws);
  await repost(22);
  await run(ws);
  const [a, b] = (await releaseIds(ws.out)).map((id) => join(ws.out, 'releases', id));
  const pages = (await readdir(join(b, 'docs'))).filter((f) => f.endsWith('.html'));
  assert.equal(pages.length, 23);
  assert.match(await readFile(join(b, 'docs', pages[0]), 'utf8'), /列出最早的 20 篇/, 'a page lists the first 20 posts of its plan');
  const { written } = await linkedFrom(a, b);
  assert.deepEqual(
    [...written].filter((f) => f.endsWith('.html') && f.startsWith('docs/')).length,
    1,
    `only the new post's page is written: ${[...written].filter((f) => f.startsWith('docs/')).join(', ')}`,
  );
});

test('a damaged parent file (edited in place: appended to, truncated, or the same length) is never linked: the next release writes it anew, warns, and validate names the damaged releases', async () => {
  const ws = await makeWorkspace({ posts: POSTS });
  await run(ws);
  await copyFileFrom(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), ws.postsDir);
  await run(ws);
  const [r1, r2] = await releaseIds(ws.out);
  const parquet = (await readdir(join(ws.out, 'releases', r2, 'provisions'))).find((p) => p.startsWith('2019-02'))!;
  const csvPart = `csv/provisions/${parquet.replace('.parquet', '.csv')}`;
  const plansCsv = 'csv/dict_verbs/all.csv';
  // Three kinds of damage to files r1 and r2 share by hard link.
  await writeFile(join(ws.out, 'releases', r2, csvPart), 'x\n', { flag: 'a' });
  execFileSync('truncate', ['-s', '1000', join(ws.out, 'releases', r2, 'provisions', parquet)]);
  const verbs = await readFile(join(ws.out, 'releases', r2, plansCsv));
  const { atime, mtime } = await stat(join(ws.out, 'releases', r2, plansCsv));
  verbs[verbs.length - 3] ^= 0x01;
  await writeFile(join(ws.out, 'releases', r2, plansCsv), verbs, { flag: 'r+' });
  // Its mtime put back as it was: only its ctime (which nothing sets back) says it was written.
  await utimes(join(ws.out, 'releases', r2, plansCsv), atime, mtime);
  // downloads/ edited in place too (a spreadsheet saved over the file): the next release does not splice from it.
  const download = join(ws.out, 'downloads', 'documents.csv');
  const bytes = await readFile(download);
  bytes[bytes.length - 4] ^= 0x01;
  await writeFile(download, bytes, { flag: 'r+' });
  await copyFileFrom(join(SAMPLE_POSTS, 'govcn-2018-12-03-content_5345397.html'), ws.postsDir);
  const out = await run(ws);
  const [, , r3] = await releaseIds(ws.out);
  for (const f of [csvPart, `provisions/${parquet}`, plansCsv]) {
    assert.match(out, new RegExp(`releases/${r2}/${f.replaceAll('.', '\\.')} no longer holds what release ${r2} published`), `${f} is named`);
    assert.ok(out.includes(`(${[r1, r2].join(', ')})`), 'the releases sharing it are named');
  }
  const fresh = await linkedFrom(join(ws.out, 'releases', r2), join(ws.out, 'releases', r3));
  for (const f of [csvPart, `provisions/${parquet}`, plansCsv]) assert.ok(fresh.written.has(f), `${f} is written anew`);
  assert.deepEqual((await checkRelease(join(ws.out, 'releases', r3), { cwd: ws.cwd })).report.problems, [], 'the new release holds none of the damage');
  const damaged = await checkRelease(join(ws.out, 'releases', r1), { cwd: ws.cwd });
  assert.ok(
    damaged.report.problems.some((p) => p.startsWith(csvPart)),
    'validate names the damage in every release sharing it',
  );
  // The same-length edit is caught by its sha256 alone.
  assert.ok(
    damaged.report.problems.some((p) => p.startsWith(`${plansCsv}: sha256`)),
    damaged.report.problems.join('\n'),
  );
  const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${join(ws.out, 'releases', r3)}/provisions/*.parquet'`);
  assert.ok(Number(n) > 0);
  const exported = join(ws.cwd, 'exported');
  await exportTables('latest', { pipeline: ws.file, cwd: ws.cwd, formats: ['csv'], tables: ['documents'], outDir: exported });
  assert.ok((await readFile(download)).equals(await readFile(join(exported, 'documents.csv'))), 'downloads/documents.csv is written anew, whole');
});

async function copyFileFrom(file: string, dir: string): Promise<void> {
  await cp(file, join(dir, file.split('/').pop()!));
}

test('zhengce export writes whole tables of a kept release, and of one only history/ still holds, with the same rows', async () => {
  const ws = await makeWorkspace({ posts: POSTS, extra: '  keep: 1\n' });
  await cp(join(REVISIONS, 'chuanyuan-tiaoli.v1.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  const [r1] = await releaseIds(ws.out);
  const kept = join(ws.cwd, 'r1-as-published');
  await cp(join(ws.out, 'releases', r1), kept, { recursive: true });
  await cp(join(REVISIONS, 'chuanyuan-tiaoli.v2.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  assert.ok(!(await releaseIds(ws.out)).includes(r1), `${r1} is pruned`);

  const out = join(ws.cwd, 'exported');
  await exportTables(r1, { pipeline: ws.file, cwd: ws.cwd, formats: ['csv', 'parquet'], outDir: out });
  for (const t of TABLES) {
    assert.equal(await difference(`SELECT * FROM '${out}/${t.name}.parquet'`, `SELECT * FROM '${kept}/${partsGlob(t)}'`), 0, `${t.name} of ${r1} from history/`);
  }
  const csv = parse(await readFile(join(out, 'documents.csv')), { bom: true, columns: true }) as unknown[];
  assert.equal(csv.length, 4);

  const one = join(ws.cwd, 'one');
  await exportTables('latest', { pipeline: ws.file, cwd: ws.cwd, tables: ['provisions'], formats: ['csv'], outDir: one });
  assert.deepEqual(await readdir(one), ['provisions.csv']);
  const bad = await runCli(['export', '-p', ws.file, 'latest', '--table', 'nope', '--out', one], ws.cwd);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no table "nope"; tables: documents/);
});

for (const [layout, fixture, releases] of [
  ['the one-file layout', 'old-layout', 1],
  ['releases in parts by year with one CSV a table', 'year-parts-layout', 2],
] as const) {
  test(`an output in ${layout}, as earlier code wrote it, upgrades in place: its releases stay as they are, history/ is whole, the next release is in the current layout`, async () => {
    const ws = await makeWorkspace({ posts: [POSTS[0], POSTS[2], ...(releases === 2 ? [POSTS[1]] : [])] });
    await mkdir(join(ws.cwd, 'output'), { recursive: true });
    execFileSync('tar', ['xzf', join(ROOT, 'tests', 'fixtures', fixture, 'output-test.tgz'), '-C', join(ws.cwd, 'output')]);
    const old = await releaseIds(ws.out);
    assert.equal(old.length, releases);
    const before = await inodes(join(ws.out, 'releases', old.at(-1)!));
    await cp(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), join(ws.postsDir, 'govcn-2018-11-09-content_5338761.html'));
    const stdout = await run(ws);
    assert.match(stdout, /is in an earlier layout: it stays as it is/);
    const next = (await releaseIds(ws.out)).at(-1)!;
    assert.deepEqual(await inodes(join(ws.out, 'releases', old.at(-1)!)), before, 'the old release is left as it was');
    for (const id of [...old, next]) assert.deepEqual((await validate(join(ws.out, 'releases', id))).problems, [], `${id} validates`);
    assert.ok((await stat(join(ws.out, 'releases', next, 'csv', 'documents'))).isDirectory(), 'the new release has its CSV in parts');
    assert.ok((await stat(join(ws.out, 'downloads', 'documents.csv'))).isFile(), 'downloads/ is made');
    const history = await readdir(join(ws.out, 'history'));
    assert.ok(!history.some((f) => f.endsWith('.parquet')), `no one-file history left: ${history}`);
    const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
    const rows = await inFolder(ws.cwd, () => query<{ n: number }>(`${views} SELECT count(*) AS n FROM documents_as_of('${old.at(-1)}')`));
    assert.equal(Number(rows.at(-1)!.n), releases === 2 ? 3 : 2, 'the old release is reproduced from history/');
    const diff = await compareReleases(join(ws.out, 'releases', old.at(-1)!), join(ws.out, 'releases', next), { cwd: ws.cwd });
    assert.equal(diff.documents.filter((d) => d.change === 'added').length, 1, 'the diff across layouts: one new document');
  });
}
