// News posts: no outline, principles or measures, but the documents, agencies and dates they report.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { docId } from '../../src/core/hash.ts';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { makeWorkspace, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
import { query } from '../helpers/duckdb.ts';
import { corpusPost } from '../parse/helpers.ts';

describe('新闻联播 20221212 (a news item that reports two documents)', () => {
  const doc = extractDocument(parsePost(corpusPost('xwlb-20221212.md')));

  test('is news: no provisions, principles or measures', () => {
    assert.equal(doc.fields.is_policy, false);
    assert.deepEqual([doc.provisions.length, doc.principles.length, doc.measures.length], [0, 0, 0]);
  });

  test('cites the two documents it reports as issued, and names their issuers', () => {
    const documents = doc.mentions.filter((m) => m.kind === 'document').map((m) => m.value);
    // Read in the transcript: items 4 and 7, 中央军委印发《…规定》 and 中办 国办印发《…通知》.
    assert.ok(documents.includes('关于军队执行〈中华人民共和国刑事诉讼法〉若干问题的规定'), documents.join(' / '));
    assert.ok(documents.includes('关于加强重特大事件档案工作的通知'), documents.join(' / '));
    const agencies = new Set(doc.mentions.filter((m) => m.kind === 'agency').map((m) => m.value));
    for (const a of ['中央军事委员会', '中共中央办公厅', '国务院办公厅']) assert.ok(agencies.has(a), a);
    assert.ok(doc.mentions.every((m) => m.path === '0' && m.provision_ord === 0));
  });

  test('its dated targets: 自2023年1月1日起施行 and 预计2023年建成通车, not the dates of past events', () => {
    // The body also prints 2022年12月7日至10日 (a visit) and the 2022 dates of the day's events.
    assert.deepEqual(
      doc.milestones.map((m) => [m.year, m.period]),
      [
        [2023, '起'],
        [2023, null],
      ],
    );
  });
});

describe('a news item that reports a plan the pipeline holds joins that plan through its mention', async () => {
  const REPOST = '2022-01-06-202201062238656632'; // finews: 国办印发要素市场化配置综合改革试点总体方案
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, `${REPOST}.md`)] });
  // A 新闻联播 transcript in the shape of the corpus ones (xwlb-20221212.md), written for this test.
  await writeFile(
    join(ws.postsDir, 'xwlb-20220107.md'),
    '# 《新闻联播》 (20220107)\n\n### 国务院办公厅印发《要素市场化配置综合改革试点总体方案》\n\n<p><strong>央视网消息</strong>（新闻联播）：国务院办公厅近日印发《要素市场化配置综合改革试点总体方案》，到2025年基本完成试点任务。</p>\n',
  );
  const run = await runInProcess(ws.file, ws.cwd);

  test('the mention carries the plan_key of the repost’s plan', async () => {
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const dir = join(ws.out, 'latest');
    const rows = await query<{ doc_id: string; value: string; plan_key: string | null }>(`SELECT doc_id, value, plan_key FROM '${dir}/mentions/*.parquet' WHERE kind = 'document'`);
    const [plan] = await query<{ plan_key: string; doc_ids: string[] }>(`SELECT plan_key, doc_ids FROM '${dir}/plans/*.parquet'`);
    assert.deepEqual([...plan.doc_ids], [docId('dir', REPOST)]);
    const news = rows.filter((r) => r.doc_id === docId('dir', 'xwlb-20220107'));
    assert.deepEqual(
      news.map((r) => [r.value, r.plan_key]),
      [['要素市场化配置综合改革试点总体方案', plan.plan_key]],
    );
  });
});
