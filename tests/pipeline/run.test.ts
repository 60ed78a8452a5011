import assert from 'node:assert/strict';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { logLines, makeWorkspace, ROOT, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { runInProcess } from '../helpers/run.ts';

const TABLES = ['documents', 'provisions', 'principles', 'milestones', 'releases', 'changes', 'document_versions'];
const SAMPLE_COUNT = 35; // files in pipelines/sample/posts

async function releases(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).filter((n) => !n.startsWith('.')).sort();
}

function readCsv(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true, skip_empty_lines: true });
}

// The first run over the sample and the run where every post is bad are the real command; the others run in process.
describe('zhengce run over the bundled real posts', async () => {
  const ws = await makeWorkspace();
  const first = await runCli(['run', ws.file], ws.cwd);

  test('publishes a complete release and exits 0', async () => {
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const [id] = await releases(ws.out);
    assert.match(id, /^\d{4}-\d{2}-\d{2}T\d{6}Z$/);
    const files = (await readdir(join(ws.out, 'releases', id), { recursive: true })).sort();
    // Every table in parts, CSV as well as Parquet; no whole-table file.
    for (const t of TABLES) {
      assert.ok(files.some((f) => f.startsWith(`csv/${t}/`) && f.endsWith('.csv')) && files.some((f) => f.startsWith(`${t}/`) && f.endsWith('.parquet')), `${t} in ${files}`);
      assert.ok(!files.includes(`${t}.parquet`) && !files.includes(`${t}.csv`) && !files.includes(`csv/${t}.csv`), `no whole-table file of ${t}`);
    }
    for (const f of ['datapackage.json', 'CHANGELOG.md', 'views.sql', 'rejects.csv', `schemas/documents.json`]) assert.ok(files.includes(f), f);
    assert.equal(await readlink(join(ws.out, 'latest')), join('releases', id));
    assert.equal(JSON.parse(await readFile(join(ws.out, 'latest.json'), 'utf8')).release_id, id);
  });

  test('logs one JSON object per line when stdout is a pipe', () => {
    const lines = logLines(first.stdout);
    assert.ok(lines.length > 0);
    const done = lines.find((l) => l.release_id && l.status === 'ok');
    assert.ok(done, first.stdout);
    assert.equal(done.fetched, SAMPLE_COUNT);
  });

  test('the Parquet files read back in DuckDB with typed columns', async () => {
    const dir = join(ws.out, 'latest');
    const [doc] = await query<Record<string, unknown>>(
      `SELECT title, typeof(published_at) AS ts_type, strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m-%d %H:%M:%S') AS local_time,
              typeof(issued_date) AS date_type, typeof(tags) AS tags_type, issuer, doc_type, period_start, period_end
       FROM '${dir}/documents/*.parquet' WHERE source_id = '2022-01-06-202201062238656632'`,
    );
    assert.equal(doc.title, '国办印发要素市场化配置综合改革试点总体方案');
    assert.equal(doc.ts_type, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(doc.local_time, '2022-01-06 15:04:39'); // date: 2022-01-06 15:04:39 +0800
    assert.equal(doc.date_type, 'DATE');
    assert.equal(doc.tags_type, 'VARCHAR[]');
    assert.equal(doc.issuer, '国务院办公厅');
    assert.equal(doc.doc_type, '方案');
    assert.deepEqual([doc.period_start, doc.period_end], [2021, 2025]); // 试点期限为2021—2025年
    const [counts] = await query<{ docs: number; level1: number; level2: number }>(
      `SELECT (SELECT count(*) FROM '${dir}/documents/*.parquet') AS docs,
              count(*) FILTER (level = 1) AS level1, count(*) FILTER (level = 2) AS level2
       FROM '${dir}/provisions/*.parquet' p JOIN '${dir}/documents/*.parquet' d USING (doc_id)
       WHERE d.source_id = '2022-01-06-202201062238656632'`,
    );
    assert.equal(Number(counts.docs), SAMPLE_COUNT);
    assert.equal(Number(counts.level1), 10); // 一、总体要求 … 十、强化组织实施
    assert.equal(Number(counts.level2), 32); // (一) … (三十二)
  });

  test('views.sql opens the release in DuckDB from the folder the pipeline ran in and from the release folder', async () => {
    const views = await readFile(join(ws.out, 'latest', 'views.sql'), 'utf8');
    const home = process.cwd();
    try {
      for (const cwd of [ws.cwd, join(ws.out, 'latest')]) {
        process.chdir(cwd);
        const rows = await query<{ n: number }>(`${views} SELECT count(*) AS n FROM provisions WHERE path = '2.5'`);
        assert.ok(Number(rows.at(-1)!.n) >= 1, cwd);
      }
    } finally {
      process.chdir(home);
    }
  });

  test('the spreadsheet CSV in downloads/ is UTF-8 with BOM, CRLF, a header, and parses back to the same rows as the Parquet; the parts are for programs', async () => {
    const dir = join(ws.out, 'latest');
    const bytes = await readFile(join(ws.out, 'downloads', 'provisions.csv'));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    assert.ok(text.includes('\r\n'));
    const rows = readCsv(text);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${dir}/provisions/*.parquet'`);
    assert.equal(rows.length, Number(n));
    const node = rows.find((r) => r.label === '(五)' && r.heading === '支持探索土地管理制度改革');
    assert.ok(node);
    assert.equal(node.path, '2.5');
    assert.equal(node.parent_path, '2');
    const docs = readCsv(await readFile(join(ws.out, 'downloads', 'documents.csv'), 'utf8'));
    const plan = docs.find((d) => d.source_id === '2022-01-06-202201062238656632')!;
    assert.equal(plan.published_at, '2022-01-06T15:04:39+08:00');
    assert.equal(plan.is_policy, 'true');
    // The release's own part of that month: no BOM, the time in UTC as Table Schema reads a datetime, lists as JSON.
    const part = await readFile(join(dir, 'csv', 'documents', '2022-01_001.csv'));
    assert.match(part.toString('utf8'), /^doc_id,source,/);
    const inPart = readCsv(part.toString('utf8')).find((d) => d.source_id === '2022-01-06-202201062238656632')!;
    assert.equal(inPart.published_at, '2022-01-06T07:04:39Z');
    assert.equal(inPart.tags, '["中国政府网新闻"]');
  });

  test('datapackage.json lists every file with its true size and sha256, schema and bilingual descriptions', async () => {
    const dir = join(ws.out, 'latest');
    const pkg = JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    const digest = async (path: string) => {
      const data = await readFile(join(dir, path));
      return { bytes: data.length, hash: `sha256:${createHash('sha256').update(data).digest('hex')}` };
    };
    for (const r of pkg.resources) {
      if (r.format === 'csv') {
        // A CSV part is a resource of its own, one file with its header.
        assert.equal(typeof r.path, 'string', r.name);
        assert.deepEqual({ bytes: r.bytes, hash: r.hash }, await digest(r.path), r.path);
      } else {
        // The Parquet parts of a table are one multi-file resource: `path` lists them, `x_files` gives each one's bytes and sha256.
        assert.deepEqual(
          r.x_files.map((f: { path: string }) => f.path),
          r.path,
          r.name,
        );
        for (const f of r.x_files) assert.deepEqual({ bytes: f.bytes, hash: f.hash }, await digest(f.path), f.path);
        assert.equal(
          r.bytes,
          r.x_files.reduce((n: number, f: { bytes: number }) => n + f.bytes, 0),
          r.name,
        );
      }
      const schema = JSON.parse(await readFile(join(dir, r.schema), 'utf8'));
      for (const f of schema.fields) assert.match(f.description, /.+ \/ .*[\u4e00-\u9fff]/, `${r.name}.${f.name}`);
    }
    for (const f of pkg.x_release_files) assert.deepEqual({ bytes: f.bytes, hash: f.hash }, await digest(f.path), f.path);
    assert.ok(pkg.x_release_files.some((f: { path: string }) => f.path === 'CHANGELOG.md'));
    const docs = pkg.resources.find((r: { name: string }) => r.name === 'documents');
    assert.equal(docs.format, 'parquet');
    assert.deepEqual(JSON.parse(await readFile(join(dir, docs.schema), 'utf8')).primaryKey, ['doc_id']);
    assert.equal(docs.rows, SAMPLE_COUNT);
    assert.equal(
      pkg.resources.filter((r: { x_table: string; format: string }) => r.x_table === 'documents' && r.format === 'csv').reduce((n: number, r: { rows: number }) => n + r.rows, 0),
      SAMPLE_COUNT,
    );
    const provisions = JSON.parse(await readFile(join(dir, 'schemas', 'provisions.json'), 'utf8'));
    assert.deepEqual(provisions.foreignKeys[0].reference, { resource: 'documents', fields: ['doc_id'] });
  });

  test('the score of the published release meets the gold thresholds', async () => {
    // In-process: the printed report of `npm run score` is tests/scripts/score.test.ts's.
    const { readGoldDir, readRelease, score } = await import('../../scripts/score-lib.ts');
    const report = score(readGoldDir(join(ROOT, 'tests', 'fixtures', 'gold')), readRelease(join(ws.out, 'latest')));
    assert.equal(report.documents, 35);
    assert.deepEqual(report.missing, []);
    assert.ok(report.macroF1 >= 0.95, JSON.stringify(report));
    assert.ok(report.tables.outline_path.f1 >= 0.98, JSON.stringify(report.tables));
    for (const field of ['doc_number', 'issued_date', 'published_date'] as const) assert.equal(report.fields[field], 1, field);
  });

  test('a second run over unchanged inputs publishes nothing and exits 0', async () => {
    const before = await releases(ws.out);
    const again = await runInProcess(ws.file, ws.cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await releases(ws.out), before);
    assert.ok(logLines(again.stdout).some((l) => l.unchanged === SAMPLE_COUNT && l.release_id === null));
  });

  test('identical inputs give byte-identical tables in a fresh output folder', async () => {
    const other = await makeWorkspace({ id: 'test' });
    const r = await runInProcess(other.file, other.cwd);
    assert.equal(r.code, 0, r.stderr);
    const files = (await readdir(join(ws.out, 'latest'), { recursive: true })).filter((f) => /^(csv\/)?(documents|provisions|principles|milestones)\b.*\.(csv|parquet)$/.test(f)).sort();
    assert.ok(files.length >= 8, `tables compared: ${files}`);
    assert.deepEqual((await readdir(join(other.out, 'latest'), { recursive: true })).filter((f) => files.includes(f)).sort(), files, 'the same parts');
    for (const f of files) {
      const a = await readFile(join(ws.out, 'latest', f));
      const b = await readFile(join(other.out, 'latest', f));
      assert.ok(a.equals(b), `${f} differs between two runs over the same inputs`);
    }
  });
});

describe('bad input', async () => {
  const bad = join(ROOT, 'tests', 'fixtures', 'bad');
  const names = ['empty', 'binary-junk', 'broken-front-matter', 'no-paragraphs', 'invalid-utf8'];
  const good = ['2022-01-06-202201062238656632.md', 'govcn-2019-02-13-content_5365341.html', '2021-12-08-202112082206885265.md'];
  const ws = await makeWorkspace({ posts: [...good.map((g) => join(SAMPLE_POSTS, g)), ...names.map((n) => join(bad, `${n}.md`))] });
  // A 10 MB post: a real post's body repeated, made here so the repository stays small.
  const real = await readFile(join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md'), 'utf8');
  await writeFile(join(ws.postsDir, 'huge-10mb.md'), real.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(real))));
  const r = await runInProcess(ws.file, ws.cwd);

  test('each bad post is rejected by name, every good post is published, and the run exits 2', async () => {
    assert.equal(r.code, 2, r.stderr + r.stdout);
    const rejects = readCsv(await readFile(join(ws.out, 'latest', 'rejects.csv'), 'utf8'));
    assert.deepEqual(rejects.map((x) => x.source_id).sort(), [...names, 'huge-10mb'].sort());
    for (const x of rejects) assert.ok(x.reason.length > 10 && x.stage, JSON.stringify(x));
    assert.match(rejects.find((x) => x.source_id === 'huge-10mb')!.reason, /over the limit/);
    const docs = readCsv(await readFile(join(ws.out, 'downloads', 'documents.csv'), 'utf8'));
    assert.deepEqual(docs.map((d) => d.source_id).sort(), good.map((g) => g.replace(/\.\w+$/, '')).sort());
    const warned = logLines(r.stdout)
      .filter((l) => l.level === 40)
      .map((l) => l.source_id);
    for (const n of names) assert.ok(warned.includes(n), `${n} is named in the log`);
  });

  test('a pipeline whose every post is bad publishes nothing and exits 1 saying why', async () => {
    const only = await makeWorkspace({ posts: names.map((n) => join(bad, `${n}.md`)) });
    const res = await runCli(['run', only.file], only.cwd);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /nothing could be published/);
  });
});
