// The store on its own: real posts staged through the Stager into a real DuckDB file, changes computed by Store.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { docId, sha256 } from '../../src/core/hash.ts';
import extractPost from '../../src/pipeline/extract-job.ts';
import type { StagedRows, TableRow } from '../../src/core/tables.ts';
import { Store, type PostState, type RunCounts } from '../../src/store/store.ts';
import { ROOT, SAMPLE_POSTS } from '../helpers/cli.ts';

const FETCHED_AT = '2026-01-01T00:00:00Z';
const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
const planKey = (identity: string): string => sha256(identity).slice(0, 16);

const openStore = async (): Promise<Store> => Store.open(join(await mkdtemp(join(tmpdir(), 'zhengce-store-')), 'store.duckdb'));

const postState = (sourceId: string, url: string): PostState => ({ sourceId, docId: docId('dir', sourceId), url, revision: null, status: 'active', fetchedAt: FETCHED_AT });

/** The rows the pipeline makes of one real post file. */
function rowsOf(file: string, sourceId: string) {
  const r = extractPost({ post: { source: 'dir', sourceId, url: file, bytes: readFileSync(file), contentType: null, revision: null, fetchedAt: FETCHED_AT }, docId: docId('dir', sourceId) });
  assert.ok(r.ok, JSON.stringify(r));
  return r.rows;
}

/** Stages one run: `posts` processed this run, `seen` still upstream and unchanged. */
async function stage(store: Store, posts: { sourceId: string; file: string; rows?: StagedRows }[], seen: string[] = []): Promise<void> {
  const stager = await store.openStager();
  try {
    for (const p of posts) stager.addPost(postState(p.sourceId, p.file), p.rows ?? rowsOf(p.file, p.sourceId));
    for (const s of seen) stager.markSeen(s);
  } finally {
    stager.close();
  }
}

/** Publishes what computeChanges left in the run tables, as a run does. */
async function release(store: Store, releaseId: string, counts: RunCounts): Promise<void> {
  await store.transaction(async () => {
    await store.savePostStates('test', null);
    const parent = await store.lastRelease();
    await store.applyRelease({ release_id: releaseId, created_at: FETCHED_AT, parent_release_id: parent?.release_id ?? null, code_version: 'test', schema_version: 1, inputs_sha256: '' }, counts);
  });
}

/** Everything computeChanges leaves for applyRelease, in a stable order. */
async function runState(store: Store): Promise<Record<string, unknown[]>> {
  return {
    changes: await store.all(
      'SELECT table_name, row_key, change_type, doc_id, CAST(changed_columns AS VARCHAR) AS cols, CAST(before AS VARCHAR) AS b, CAST(after AS VARCHAR) AS a FROM run_changes ORDER BY ALL',
    ),
    plans: await store.all('SELECT * FROM stage_plans ORDER BY ALL'),
    mentions: await store.all('SELECT * FROM stage_mentions ORDER BY ALL'),
    documents: await store.all('SELECT doc_id, version FROM new_documents ORDER BY ALL'),
    redlines: await store.all('SELECT * FROM run_redlines ORDER BY ALL'),
  };
}

describe('Store.computeChanges', () => {
  const REPOST = '2022-01-06-202201062238656632'; // finews repost of 要素市场化配置综合改革试点总体方案, no 发文字号
  const NOTICE = 'govcn-2022-01-06-yaosu-tongzhi'; // its official notice, 国办发〔2021〕51号 (tests/fixtures/notice/README.md)

  test('runs twice on one connection and computes the same changes both times', async () => {
    const store = await openStore();
    try {
      await stage(store, [
        { sourceId: REPOST, file: join(SAMPLE_POSTS, `${REPOST}.md`) },
        { sourceId: NOTICE, file: join(ROOT, 'tests', 'fixtures', 'notice', `${NOTICE}.html`) },
      ]);
      const first = await store.computeChanges({ notModified: false, firstRelease: true });
      const before = await runState(store);
      const second = await store.computeChanges({ notModified: false, firstRelease: true });
      assert.deepEqual(second, first);
      assert.deepEqual(await runState(store), before);
      assert.equal(first.added, 2);
      // The repost and the notice are one plan, keyed by the notice's 发文字号, staged once.
      const plans = await store.all<{ plan_key: string; doc_ids: string }>('SELECT plan_key, doc_ids FROM stage_plans');
      assert.deepEqual(plans, [{ plan_key: planKey('no:国办发〔2021〕51号'), doc_ids: [docId('dir', REPOST), docId('dir', NOTICE)].sort().join('\u001f') }]);
    } finally {
      store.close();
    }
  });

  // 国务院关于高级专家退休问题的补充规定 (1986) cites 《国务院关于高级专家离休退休若干问题的暂行规定》 (1983) twice in its
  // text; neither prints a 发文字号, so the 暂行规定's plan is keyed by its name.
  const SUPPLEMENT = join(LAWS, '行政法规', '国务院关于高级专家退休问题的补充规定(1986-02-18).md');
  const REGULATION = join(LAWS, '行政法规', '国务院关于高级专家离休退休若干问题的暂行规定(1983-09-12).md');
  const CITED = '国务院关于高级专家离休退休若干问题的暂行规定';

  test('a citation that resolves once its document arrives is restaged once, however often the changes are computed', { skip: existsSync(LAWS) ? false : `${LAWS} not found` }, async () => {
    const store = await openStore();
    try {
      await stage(store, [{ sourceId: 'supplement', file: SUPPLEMENT }]);
      await release(store, 'r1', await store.computeChanges({ notModified: false, firstRelease: true }));
      const cites = await store.all<{ plan_key: string | null }>(`SELECT plan_key FROM hist_mentions WHERE kind = 'document' AND value = '${CITED}'`);
      assert.ok(cites.length > 0, 'the supplement cites the regulation');
      assert.ok(
        cites.every((c) => c.plan_key === null),
        'not resolved while the regulation is unknown',
      );

      // Next run: the regulation arrives, the supplement is unchanged upstream.
      await stage(store, [{ sourceId: 'regulation', file: REGULATION }], ['supplement']);
      await store.computeChanges({ notModified: false, firstRelease: false });
      const before = await runState(store);
      await store.computeChanges({ notModified: false, firstRelease: false });
      assert.deepEqual(await runState(store), before);
      const restaged = await store.all<{ plan_key: string; n: number }>(
        `SELECT plan_key, CAST(count(*) AS INTEGER) AS n FROM stage_mentions WHERE doc_id = '${docId('dir', 'supplement')}' AND kind = 'document' AND value = '${CITED}' GROUP BY plan_key`,
      );
      assert.deepEqual(restaged, [{ plan_key: planKey('name:关于高级专家离休退休若干问题的暂行规定'), n: cites.length }]);
      const updates = await store.all(`SELECT row_key FROM run_changes WHERE table_name = 'mentions' AND change_type = 'update' AND doc_id = '${docId('dir', 'supplement')}'`);
      assert.equal(updates.length, cites.length);
    } finally {
      store.close();
    }
  });
});

describe('plans in the store', () => {
  // 国务院关于修改部分行政法规的决定 is a title the State Council reuses. 进出口商品检验法实施条例 (corpus-laws) was revised by
  // the one of 2016年2月6日 and the one of 2019年3月2日 (its history block names both, by title and date only);
  // they were published as 国务院令第666号 and 国务院令第709号. The two documents rows carry those facts.
  const TITLE = '国务院关于修改部分行政法规的决定';
  const decision = (sourceId: string, number: string, date: string): TableRow<'documents'> => ({
    doc_id: docId('dir', sourceId),
    source: 'dir',
    source_id: sourceId,
    url: sourceId,
    title: TITLE,
    issued_date: date,
    tags: [],
    is_policy: true,
    doc_type: '决定',
    issuer: '国务院',
    doc_number: number,
    content_sha256: sha256(sourceId),
    published_at: null,
    category: null,
    plan_type: null,
    plan_name: null,
    period_start: null,
    period_end: null,
    version: null,
    source_path: null,
  });
  const LAW = join(LAWS, '行政法规', '进出口商品检验法实施条例(2022-03-29).md');

  test('one title under two 发文字号 is two plans, and a citation by that title alone resolves to neither', { skip: existsSync(LAWS) ? false : `${LAWS} not found` }, async () => {
    const store = await openStore();
    try {
      const law = rowsOf(LAW, 'law');
      // Its history block (2016年2月6日 / 2019年3月2日 《国务院关于修改部分行政法规的决定》…修订) cites the title twice
      // without a 发文字号; the extractor reads only the text after it, so the citation is added here as it is printed.
      law.mentions.push({ doc_id: docId('dir', 'law'), part: 1, path: '0', kind: 'document', value: TITLE, count: 2, doc_number: null, plan_key: null });
      await stage(store, [
        { sourceId: 'decision-2016', file: 'decision-2016', rows: { documents: [decision('decision-2016', '国务院令第666号', '2016-02-06')] } },
        { sourceId: 'decision-2019', file: 'decision-2019', rows: { documents: [decision('decision-2019', '国务院令第709号', '2019-03-02')] } },
        { sourceId: 'law', file: LAW, rows: law },
      ]);
      await store.computeChanges({ notModified: false, firstRelease: true });
      const plans = await store.all<{ plan_key: string; doc_number: string; issued_date: string; doc_ids: string }>(
        `SELECT plan_key, doc_number, issued_date, doc_ids FROM stage_plans WHERE plan_name = '${TITLE}' ORDER BY issued_date`,
      );
      assert.deepEqual(plans, [
        { plan_key: planKey('no:国务院令第666号'), doc_number: '国务院令第666号', issued_date: '2016-02-06', doc_ids: docId('dir', 'decision-2016') },
        { plan_key: planKey('no:国务院令第709号'), doc_number: '国务院令第709号', issued_date: '2019-03-02', doc_ids: docId('dir', 'decision-2019') },
      ]);
      const [cite] = await store.all<{ plan_key: string | null }>(`SELECT plan_key FROM stage_mentions WHERE kind = 'document' AND value = '${TITLE}'`);
      assert.equal(cite.plan_key, null, 'which of the two decisions is not said');
    } finally {
      store.close();
    }
  });
});
