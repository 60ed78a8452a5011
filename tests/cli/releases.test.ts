import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace, ROOT, runCli } from '../helpers/cli.ts';
import { inFolder, query } from '../helpers/duckdb.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';
import { VERSIONED } from '../../src/core/tables.ts';

const POSTS = join(ROOT, 'pipelines', 'sample', 'posts');
const REVISIONS = join(ROOT, 'tests', 'fixtures', 'revisions');

async function releaseIds(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).filter((n) => !n.startsWith('.')).sort();
}

/**
 * Two releases a second apart (runs in process, on a clock a second ahead for the second): r1 = two posts and 船员条例 v1;
 * r2 = one post removed, one added, the regulation amended. The commands this file tests run as the real command.
 */
async function twoReleases(extra = '') {
  const clock = new RunClock();
  const ws = await makeWorkspace({
    posts: [join(POSTS, 'govcn-2019-02-13-content_5365341.html'), join(POSTS, '2021-12-08-202112082206885265.md')],
    extra,
  });
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v1.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  const first = await runInProcess(ws.file, ws.cwd, { clock });
  assert.equal(first.code, 0, first.stderr);
  await rm(join(ws.postsDir, '2021-12-08-202112082206885265.md'));
  await copyFile(join(POSTS, 'govcn-2018-12-24-content_5351607.html'), join(ws.postsDir, 'govcn-2018-12-24-content_5351607.html'));
  await copyFile(join(REVISIONS, 'chuanyuan-tiaoli.v2.md'), join(ws.postsDir, 'chuanyuan-tiaoli.md'));
  const second = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
  assert.equal(second.code, 0, second.stderr);
  return ws;
}

describe('releases over time', async () => {
  const ws = await twoReleases();
  const [r1, r2] = await releaseIds(ws.out);

  test('zhengce diff names what was added, changed and removed', async () => {
    const res = await runCli(['diff', join(ws.out, 'releases', r1), join(ws.out, 'releases', r2)], ws.cwd);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /New documents 新增 \(1\)\n {2}国务院办公厅关于科技节水建议的复函/);
    assert.match(res.stdout, /Removed documents 删除 \(1\)\n {2}融信中国已于公开市场回购合计本金额1191万美元的部分票据/);
    assert.match(res.stdout, /Changed documents 变更 \(1\)\n {2}中华人民共和国船员条例/);
    const json = await runCli(['diff', '--json', '-p', ws.file, r1, r2], ws.cwd);
    const d = JSON.parse(json.stdout);
    assert.deepEqual(d.documents.map((x: { change: string }) => x.change).sort(), ['added', 'changed', 'removed']);
    const changed = d.documents.find((x: { change: string }) => x.change === 'changed');
    assert.ok(changed.provisions.updated + changed.provisions.deleted > 0);
    const same = await runCli(['diff', '-p', ws.file, r2, 'latest'], ws.cwd);
    assert.match(same.stdout, /No differences\./);
  });

  test('the changes table of r2 agrees with the diff, and its CHANGELOG names each document', async () => {
    const [{ docs }] = await query<{ docs: number }>(`SELECT count(DISTINCT doc_id) AS docs FROM '${ws.out}/releases/${r2}/changes/*.parquet'`);
    assert.equal(Number(docs), 3);
    const changelog = await readFile(join(ws.out, 'releases', r2, 'CHANGELOG.md'), 'utf8');
    for (const title of ['国务院办公厅关于科技节水建议的复函', '融信中国已于公开市场回购合计本金额1191万美元的部分票据', '中华人民共和国船员条例']) assert.ok(changelog.includes(title), title);
    assert.match(changelog, /redlines\.csv/);
  });

  test('<table>_as_of(release) over history/ reproduces each release exactly, table by table, row for row', async () => {
    const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
    for (const r of [r1, r2]) {
      for (const t of VERSIONED.map((v) => v.name)) {
        const release = `SELECT * FROM '${ws.out}/releases/${r}/${t}/*.parquet'`;
        const asOf = `SELECT * FROM ${t}_as_of('${r}')`;
        const rows = await inFolder(ws.cwd, () =>
          query<{ n: number; total: number }>(
            `${views} SELECT (SELECT count(*) FROM (${asOf} EXCEPT ALL ${release})) + (SELECT count(*) FROM (${release} EXCEPT ALL ${asOf})) AS n, (SELECT count(*) FROM (${release})) AS total`,
          ),
        );
        assert.equal(Number(rows.at(-1)!.n), 0, `${t} as of ${r}`);
        if (['documents', 'provisions'].includes(t)) assert.ok(Number(rows.at(-1)!.total) > 0, `${t} of ${r} has rows to compare`);
      }
    }
  });

  test('history/views.sql gives <table>_history views from the folder the pipeline ran in', async () => {
    const views = await readFile(join(ws.out, 'history', 'views.sql'), 'utf8');
    const rows = await inFolder(ws.cwd, () => query<{ versions: number; releases: number }>(`${views} SELECT count(*) AS versions, count(DISTINCT release_id) AS releases FROM documents_history`));
    assert.deepEqual([Number(rows.at(-1)!.versions) > 3, Number(rows.at(-1)!.releases)], [true, 2]);
  });

  test('document_versions records the amendment as version 2 and the removal', async () => {
    const rows = await query<{ version: number; status: string; release_id: string }>(
      `SELECT v.version, v.status, v.release_id FROM '${ws.out}/latest/document_versions/*.parquet' v ORDER BY v.release_id, v.status, v.version`,
    );
    const second = rows.filter((r) => r.release_id === r2);
    assert.deepEqual(second.map((r) => [r.status, r.version]).sort(), [
      ['active', 1],
      ['active', 2],
      ['removed', 2],
    ]);
  });

  test('validate passes a fresh release and names a tampered byte', async () => {
    const ok = await runCli(['validate', join(ws.out, 'releases', r2)], ws.cwd);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /valid/);
    const [part] = await readdir(join(ws.out, 'releases', r1, 'csv', 'documents'));
    const file = join(ws.out, 'releases', r1, 'csv', 'documents', part);
    const bytes = await readFile(file);
    bytes[bytes.length - 5] ^= 0x01;
    await writeFile(file, bytes);
    const bad = await runCli(['validate', '--json', '-p', ws.file, r1], ws.cwd);
    assert.equal(bad.code, 1);
    const report = JSON.parse(bad.stdout);
    assert.ok(
      report.problems.some((p: string) => p.startsWith(`csv/documents/${part}: sha256`)),
      report.problems.join('\n'),
    );
  });
});

test('publish.keep prunes old release folders while history keeps every row version', async () => {
  const ws = await twoReleases('  keep: 1\n');
  assert.equal((await releaseIds(ws.out)).length, 1);
  const [{ releases }] = await query<{ releases: number }>(`SELECT count(DISTINCT release_id) AS releases FROM read_parquet('${ws.out}/history/documents/*/*.parquet', hive_partitioning = true)`);
  assert.equal(Number(releases), 2);
});
