import assert from 'node:assert/strict';
import { readdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { docId, sha256 } from '../../src/core/hash.ts';
import { groupPlans } from '../../src/store/plans.ts';
import { makeWorkspace, ROOT, SAMPLE_POSTS } from '../helpers/cli.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';
import { query } from '../helpers/duckdb.ts';

const REPOST = '2022-01-06-202201062238656632'; // finews: 国办印发要素市场化配置综合改革试点总体方案, no 发文字号
const NOTICE = 'govcn-2022-01-06-yaosu-tongzhi'; // constructed gov.cn notice, 国办发〔2021〕51号 (tests/fixtures/notice/README.md)
const OTHER = 'govcn-2019-02-13-content_5365341'; // 国务院关于印发国家职业教育改革实施方案的通知, 国发〔2019〕4号

describe('plans: a news repost and the official notice of one plan', async () => {
  const ws = await makeWorkspace({
    posts: [join(SAMPLE_POSTS, `${REPOST}.md`), join(ROOT, 'tests', 'fixtures', 'notice', `${NOTICE}.html`), join(SAMPLE_POSTS, `${OTHER}.html`)],
  });
  // Runs in process, each a second after the one before.
  const clock = new RunClock();
  const run = await runInProcess(ws.file, ws.cwd, { clock });
  const dir = join(ws.out, 'latest');

  test('resolve to one plan_key carrying the notice’s 发文字号, issuer and date', async () => {
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const plans = await query<{ plan_key: string; plan_name: string; plan_type: string; doc_number: string; issuer: string; issued_date: string; doc_ids: string[] }>(
      `SELECT plan_key, plan_name, plan_type, doc_number, issuer, CAST(issued_date AS VARCHAR) AS issued_date, doc_ids FROM '${dir}/plans/*.parquet' ORDER BY plan_name`,
    );
    assert.equal(plans.length, 2);
    const yaosu = plans.find((p) => p.plan_name === '要素市场化配置综合改革试点总体方案');
    assert.ok(yaosu, JSON.stringify(plans));
    assert.deepEqual([...yaosu.doc_ids].sort(), [docId('dir', REPOST), docId('dir', NOTICE)].sort());
    assert.deepEqual([yaosu.plan_type, yaosu.doc_number, yaosu.issuer, yaosu.issued_date], ['方案', '国办发〔2021〕51号', '国务院办公厅', '2021-12-21']);
    assert.equal(yaosu.plan_key, sha256('no:国办发〔2021〕51号').slice(0, 16));
  });

  test('the timeline lists what falls due in 2025 once per plan, from the official notice', async () => {
    const views = await readFile(join(dir, 'views.sql'), 'utf8');
    const home = process.cwd();
    process.chdir(dir);
    try {
      const rows = await query<{ plan_name: string; doc_id: string; text: string }>(`${views} SELECT plan_name, doc_id, text FROM timeline WHERE year = 2025`);
      assert.deepEqual(
        rows.map((r) => [r.plan_name, r.doc_id]),
        [['要素市场化配置综合改革试点总体方案', docId('dir', NOTICE)]],
      );
      assert.match(rows[0].text, /^到2025年，基本完成试点任务/);
    } finally {
      process.chdir(home);
    }
  });

  test('the data dictionary ships with the release', async () => {
    const pkg = JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8'));
    const names = pkg.resources.map((r: { name: string }) => r.name);
    for (const t of ['measures', 'mentions', 'plans', 'dict_verbs', 'dict_instruments', 'dict_agencies', 'dict_regions'])
      assert.ok(
        names.some((n: string) => n.startsWith(t)),
        t,
      );
    const [agency] = await query<{ full_name: string }>(`SELECT full_name FROM '${dir}/dict_agencies/*.parquet' WHERE name = '国家发展改革委'`);
    assert.equal(agency.full_name, '国家发展和改革委员会');
  });

  test('a run with nothing new publishes nothing, dictionaries and plans included', async () => {
    // Posts touched but not changed: the source cannot tell, so the run reads them, rebuilds plans and dictionaries, and finds nothing to publish.
    const now = new Date();
    for (const f of await readdir(ws.postsDir)) await utimes(join(ws.postsDir, f), now, now);
    const again = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing changed: no new release/);
    // And a run with nothing touched ends before the store.
    const quiet = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
    assert.match(quiet.stdout, /the source holds nothing new since the last run: the store is not opened/);
  });
});

describe('groupPlans', () => {
  test('links through a shared name and a shared 发文字号; the key hashes the smallest 发文字号, else the smallest name', () => {
    const groups = groupPlans([
      { doc_id: 'repost', name_key: 'A方案', doc_number: null },
      { doc_id: 'notice', name_key: 'A方案', doc_number: '国办发〔2021〕51号' },
      { doc_id: 'reprint', name_key: '关于印发A方案的通知', doc_number: '国办发〔2021〕51号' },
      { doc_id: 'alone', name_key: 'B意见', doc_number: null },
    ]);
    assert.equal(new Set([groups.get('repost'), groups.get('notice'), groups.get('reprint')]).size, 1);
    assert.equal(groups.get('repost'), sha256('no:国办发〔2021〕51号').slice(0, 16));
    assert.equal(groups.get('alone'), sha256('name:B意见').slice(0, 16));
  });

  test('one recurring title under two 发文字号 is two plans; a post with the title alone cannot tell which and stays apart', () => {
    // 国务院关于修改部分行政法规的决定 is a title the State Council reuses: the laws in ../shared/corpus-laws cite the
    // decision of 2016年2月6日 (国务院令第666号) and the one of 2019年3月2日 (国务院令第709号) under the same name.
    const name = '关于修改部分行政法规的决定';
    const docs = [
      { doc_id: 'decision-2016', name_key: name, doc_number: '国务院令第666号' },
      { doc_id: 'decision-2019', name_key: name, doc_number: '国务院令第709号' },
      { doc_id: 'repost', name_key: name, doc_number: null },
    ];
    for (const order of [docs, [...docs].reverse()]) {
      const groups = groupPlans(order);
      assert.equal(groups.get('decision-2016'), sha256('no:国务院令第666号').slice(0, 16));
      assert.equal(groups.get('decision-2019'), sha256('no:国务院令第709号').slice(0, 16));
      assert.equal(groups.get('repost'), sha256(`name:${name}`).slice(0, 16));
    }
  });
});
