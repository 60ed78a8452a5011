import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { VERSIONED } from '../../src/core/tables.ts';
import { makeWorkspace, ROOT, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { inFolder, query } from '../helpers/duckdb.ts';

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

async function run(ws: { cwd: string; file: string }): Promise<void> {
  const r = await runCli(['run', ws.file], ws.cwd);
  assert.equal(r.code, 0, r.stderr + r.stdout);
}

describe('releases in parts: a release rewrites only the parts that hold a change', async () => {
  const ws = await makeWorkspace({ posts: POSTS });
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v1.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  const history1 = await inodes(join(ws.out, 'history'));
  await sleep(1100);
  // The amended regulation: one document changes, in one part.
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v2.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  const history2 = await inodes(join(ws.out, 'history'));
  await sleep(1100);
  // One post removed, another added.
  await rm(join(ws.postsDir, 'govcn-2018-12-24-content_5351607.html'));
  await copyFile(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), join(ws.postsDir, 'govcn-2018-11-09-content_5338761.html'));
  await run(ws);
  const [r1, r2, r3] = await releaseIds(ws.out);
  const dir = (r: string) => join(ws.out, 'releases', r);

  test('a part holding no changed document is the parent release file itself (a hard link); the changed one is new', async () => {
    const a = await inodes(dir(r1));
    const b = await inodes(dir(r2));
    const [{ part }] = await query<{ part: string }>(`SELECT regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS part FROM read_parquet('${dir(r2)}/documents/*.parquet', filename = true) WHERE source_id = 'chuanyuan-tiaoli'`);
    const linked = [...b.keys()].filter((p) => a.get(p)?.ino === b.get(p)!.ino);
    assert.ok(!linked.includes(`provisions/${part}.parquet`), `the amended regulation's part ${part} is written anew`);
    assert.ok(!linked.includes(`documents/${part}.parquet`));
    for (const other of (await readdir(join(dir(r2), 'provisions'))).filter((f) => f !== `${part}.parquet`)) {
      assert.ok(linked.includes(`provisions/${other}`), `provisions/${other} is linked from ${r1}`);
      assert.ok(linked.includes(`documents/${other}`), `documents/${other} is linked from ${r1}`);
    }
    for (const f of ['csv/dict_verbs.csv', 'dict_verbs/all.parquet', 'csv/principles.csv']) assert.ok(linked.includes(f), `${f}: unchanged, linked`);
    for (const f of ['csv/provisions.csv', 'csv/documents.csv', 'releases/all.parquet', 'changes.parquet', 'datapackage.json']) assert.ok(!linked.includes(f), `${f}: changed, written`);
  });

  test('every release validates on its own, and a dereferenced copy of it validates and loads through its views.sql', async () => {
    for (const r of [r1, r2, r3]) {
      const ok = await runCli(['validate', dir(r)], ws.cwd);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    }
    const copy = join(ws.cwd, 'copy-of-r2');
    execFileSync('cp', ['-rL', dir(r2), copy]);
    await rm(dir(r1), { recursive: true }); // the copy must not lean on the folder its files were linked from
    const ok = await runCli(['validate', copy], ws.cwd);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const views = await readFile(join(copy, 'views.sql'), 'utf8');
    const rows = await inFolder(copy, () => query<{ n: number }>(`${views} SELECT count(*) AS n FROM documents`));
    assert.equal(Number(rows.at(-1)!.n), 4);
  });

  test('the single CSV of a table is spliced from the parts: the same rows as its Parquet parts, header once, BOM first', async () => {
    const bytes = await readFile(join(dir(r3), 'csv', 'provisions.csv'));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${dir(r3)}/provisions/*.parquet'`);
    assert.equal(rows.length, Number(n));
    assert.equal(bytes.toString('utf8').split('doc_id,part,path').length - 1, 1, 'one header row');
    const csvKeys = new Set(rows.map((r) => `${r.doc_id}/${r.part}/${r.path}`));
    const parquetKeys = await query<{ k: string }>(`SELECT doc_id || '/' || part || '/' || path AS k FROM '${dir(r3)}/provisions/*.parquet'`);
    assert.deepEqual([...csvKeys].sort(), parquetKeys.map((r) => r.k).sort());
  });

  test('history/ is append-only: no file is rewritten by a later release (inode and mtime)', async () => {
    const history3 = await inodes(join(ws.out, 'history'));
    for (const [earlier, later] of [
      [history1, history2],
      [history2, history3],
    ]) {
      for (const [path, s] of earlier) {
        if (path === 'views.sql') continue;
        assert.deepEqual(later.get(path), s, `history/${path} is untouched`);
      }
    }
    assert.ok([...history3.keys()].some((p) => p.startsWith(`documents/release_id=${r3}/`)), 'r3 wrote its own partition');
    const [{ tombstones }] = await query<{ tombstones: number }>(`SELECT count(*) AS tombstones FROM read_parquet('${ws.out}/history/documents/*/*.parquet', hive_partitioning = true) WHERE release_id = '${r3}' AND _op = 'delete'`);
    assert.equal(Number(tombstones), 1, 'the removed post is a tombstone');
  });

  test('<table>_as_of(release) reproduces every release, every table, row for row', async () => {
    const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
    for (const r of [r2, r3]) {
      for (const t of VERSIONED) {
        const release = `SELECT * FROM '${dir(r)}/${t.name}/*.parquet'`;
        const rows = await inFolder(ws.cwd, () => query<{ n: number }>(`${views} SELECT (SELECT count(*) FROM (SELECT * FROM ${t.name}_as_of('${r}') EXCEPT ALL ${release})) + (SELECT count(*) FROM (${release} EXCEPT ALL SELECT * FROM ${t.name}_as_of('${r}'))) AS n`));
        assert.equal(Number(rows.at(-1)!.n), 0, `${t.name} as of ${r}`);
      }
    }
  });
});

test('a table with more rows than publish.csv_max_rows gets one CSV per part, each opening alone; unchanged parts are linked', async () => {
  const ws = await makeWorkspace({ posts: POSTS, extra: '  csv_max_rows: 20\n' });
  await run(ws);
  await sleep(1100);
  await copyFile(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), join(ws.postsDir, 'govcn-2018-11-09-content_5338761.html'));
  await run(ws);
  const [r1, r2] = await releaseIds(ws.out);
  const release = join(ws.out, 'releases', r2);
  const parts = (await readdir(join(release, 'csv', 'provisions'))).sort();
  assert.ok(parts.length >= 2, `provisions split: ${parts}`);
  let total = 0;
  for (const p of parts) {
    const bytes = await readFile(join(release, 'csv', 'provisions', p));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${p} starts with a BOM`);
    assert.match(bytes.subarray(3).toString('utf8'), /^doc_id,part,path,/, `${p} has its header`);
    total += (parse(bytes, { bom: true, columns: true }) as unknown[]).length;
  }
  const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${release}/provisions/*.parquet'`);
  assert.equal(total, Number(n));
  assert.equal((await stat(join(release, 'csv', 'documents.csv'))).isFile(), true, 'a small table keeps one CSV');
  const before = await inodes(join(ws.out, 'releases', r1, 'csv', 'provisions'));
  const after = await inodes(join(release, 'csv', 'provisions'));
  assert.ok([...after].some(([p, s]) => before.get(p)?.ino === s.ino), 'the parts the new post does not touch are linked');
  assert.equal((await runCli(['validate', release], ws.cwd)).code, 0);
});

test('zhengce export writes whole tables of a kept release, and of one only history/ still holds, with the same rows', async () => {
  const ws = await makeWorkspace({ posts: POSTS, extra: '  keep: 1\n' });
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v1.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  const [r1] = await releaseIds(ws.out);
  const kept = join(ws.cwd, 'r1-as-published');
  await cp(join(ws.out, 'releases', r1), kept, { recursive: true });
  await sleep(1100);
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v2.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  await run(ws);
  assert.deepEqual(await releaseIds(ws.out), (await releaseIds(ws.out)).filter((r) => r !== r1), `${r1} is pruned`);

  const out = join(ws.cwd, 'exported');
  const res = await runCli(['export', '-p', ws.file, r1, '--out', out], ws.cwd);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  for (const t of ['documents', 'provisions', 'principles', 'milestones', 'measures', 'mentions', 'plans', 'releases', 'changes', 'document_versions', 'redlines']) {
    const published = t === 'changes' ? `SELECT * FROM '${kept}/changes.parquet'` : `SELECT * FROM '${kept}/${t}/*.parquet'`;
    assert.equal(await difference(`SELECT * FROM '${out}/${t}.parquet'`, published), 0, `${t} of ${r1} from history/`);
  }
  const csv = parse(await readFile(join(out, 'documents.csv')), { bom: true, columns: true }) as unknown[];
  assert.equal(csv.length, 4);

  const one = join(ws.cwd, 'one');
  const latest = await runCli(['export', '-p', ws.file, 'latest', '--table', 'provisions', '--format', 'csv', '--out', one], ws.cwd);
  assert.equal(latest.code, 0, latest.stderr);
  assert.deepEqual(await readdir(one), ['provisions.csv']);
  const bad = await runCli(['export', '-p', ws.file, 'latest', '--table', 'nope', '--out', one], ws.cwd);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no table "nope"; tables: documents/);
});

test('an output in the earlier one-file layout is upgraded: its release stays readable, history/ becomes partitions, the next release is in parts', async () => {
  const ws = await makeWorkspace({ posts: [POSTS[0], POSTS[2]] });
  await mkdir(join(ws.cwd, 'output'), { recursive: true });
  execFileSync('tar', ['xzf', join(ROOT, 'tests', 'fixtures', 'old-layout', 'output-test.tgz'), '-C', join(ws.cwd, 'output')]);
  const [old] = await releaseIds(ws.out);
  const before = await inodes(join(ws.out, 'releases', old));
  await copyFile(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), join(ws.postsDir, 'govcn-2018-11-09-content_5338761.html'));
  const res = await runCli(['run', ws.file], ws.cwd);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.match(res.stdout, /history\/ converted to one partition per release/);
  assert.match(res.stdout, /is in the earlier one-file layout: it stays as it is/);
  const [, next] = await releaseIds(ws.out);
  assert.deepEqual(await inodes(join(ws.out, 'releases', old)), before, 'the old release is left as it was');
  assert.equal((await runCli(['validate', join(ws.out, 'releases', old)], ws.cwd)).code, 0);
  assert.equal((await runCli(['validate', join(ws.out, 'releases', next)], ws.cwd)).code, 0);
  assert.ok((await stat(join(ws.out, 'releases', next, 'documents'))).isDirectory());
  const history = await readdir(join(ws.out, 'history'));
  assert.ok(!history.some((f) => f.endsWith('.parquet')), `no one-file history left: ${history}`);
  const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
  const rows = await inFolder(ws.cwd, () => query<{ n: number }>(`${views} SELECT count(*) AS n FROM documents_as_of('${old}')`));
  assert.equal(Number(rows.at(-1)!.n), 2, 'the old release is reproduced from the converted history');
  const converted = `SELECT * EXCLUDE (_op, release_id) FROM read_parquet('${ws.out}/history/provisions/release_id=${old}/data.parquet', hive_partitioning = true)`;
  assert.equal(await difference(`SELECT * FROM '${ws.out}/releases/${old}/provisions.parquet'`, converted), 0);
  const diff = await runCli(['diff', join(ws.out, 'releases', old), join(ws.out, 'releases', next)], ws.cwd);
  assert.equal(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /New documents 新增 \(1\)/);
});
