import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGoldDir, readRelease, score, type ScoredDoc } from '../../scripts/score-lib.ts';
import { ROOT } from '../helpers/cli.ts';
import { GOLD_DIR } from '../parse/helpers.ts';

const gold = readGoldDir(GOLD_DIR);
const plan = gold.find((g) => g.source_id === '2022-01-06-202201062238656632')!;
const news = gold.find((g) => g.source_id === 'xwlb-20221212')!;

test('gold scored against itself is perfect', () => {
  const report = score(gold, gold);
  assert.equal(report.macroF1, 1);
  assert.deepEqual(report.missing, []);
  assert.equal(report.tables.outline_path.expected, 507);
  assert.equal(report.tables.principles.expected, 23);
  assert.equal(report.tables.milestones.expected, 36);
});

test('F1 counts wrong, missing and extra items; deeper levels are not scored; a missing document fails every field', () => {
  const got: ScoredDoc = structuredClone(plan);
  got.outline = got.outline.slice(1); // one node missed
  got.outline.push({ path: '2.5.1', level: 3, label: '1.', heading: '深层' }); // level 3: not scored
  got.outline.push({ path: '11', level: 1, label: '十一、', heading: '多余' }); // one extra
  got.milestones = [...got.milestones, { year: 2030, period: null }];
  got.document.issuer = '国办';
  const report = score([plan, news], [got]);
  assert.deepEqual(report.missing, ['xwlb-20221212']);
  assert.deepEqual([report.tables.outline_path.tp, report.tables.outline_path.predicted, report.tables.outline_path.expected], [41, 42, 42]);
  assert.deepEqual([report.tables.milestones.tp, report.tables.milestones.predicted], [4, 5]);
  assert.equal(report.fields.issuer, 0);
  assert.equal(report.fields.doc_type, 0.5);
  assert.deepEqual(report.fieldErrors['2022-01-06-202201062238656632'], ['issuer']);
});

test('a news item’s dates are not scored (its gold annotates the document block only); a plan’s are', () => {
  const got: ScoredDoc = structuredClone(news);
  got.milestones = [{ year: 2023, period: '起' }];
  const report = score([plan, news], [plan, got]);
  assert.equal(report.tables.milestones.f1, 1);
  assert.equal(report.tables.milestones.predicted, plan.milestones.length);
});

test('repeated gold paths (two enclosed documents) must be extracted as many times', () => {
  const twoRules = gold.find((g) => g.source_id === 'govcn-2018-12-25-content_5352010')!;
  const once = { ...twoRules, outline: twoRules.outline.filter((n, i, all) => all.findIndex((m) => m.path === n.path) === i) };
  const report = score([twoRules], [once]);
  assert.equal(report.tables.outline_path.precision, 1);
  assert.deepEqual([report.tables.outline_path.tp, report.tables.outline_path.expected], [once.outline.length, 64]);
  assert.ok(once.outline.length < 64);
});

/** A release folder in the publish format: UTF-8 BOM, header row, RFC 4180 quoting, formula escaping. */
function writeRelease(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zhengce-score-'));
  const csv = (rows: string[][]): string => '\ufeff' + rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
  const d = plan.document;
  writeFileSync(
    join(dir, 'documents.csv'),
    csv([
      [
        'doc_id',
        'source',
        'source_id',
        'url',
        'title',
        'published_at',
        'issued_date',
        'category',
        'tags',
        'is_policy',
        'doc_type',
        'plan_type',
        'plan_name',
        'issuer',
        'doc_number',
        'period_start',
        'period_end',
        'content_sha256',
        'version',
      ],
      [
        'd1',
        'dir',
        plan.source_id,
        'u',
        't',
        '2022-01-06T15:04:39+08:00',
        '',
        'c',
        'x',
        'true',
        String(d.doc_type),
        String(d.plan_type),
        String(d.plan_name),
        String(d.issuer),
        '',
        '2021',
        '2025',
        'h',
        '1',
      ],
      ['d2', 'dir', news.source_id, 'u', '《新闻联播》 (20221212)', '2022-12-12T19:00:00+08:00', '', '', '', 'false', '新闻', '', '', '', '', '', '', 'h', '1'],
    ]),
  );
  writeFileSync(
    join(dir, 'provisions.csv'),
    csv([
      ['doc_id', 'path', 'level', 'parent_path', 'label', 'heading', 'text', 'ord'],
      ...plan.outline.map((n, i) => ['d1', n.path, String(n.path.split('.').length), '', n.label, n.heading, 'text, with "quotes"', String(i + 1)]).reverse(),
    ]),
  );
  writeFileSync(join(dir, 'principles.csv'), csv([['doc_id', 'principle_no', 'path', 'title', 'text'], ...plan.principles.map((t, i) => ['d1', String(i + 1), '1.2', t, ''])]));
  writeFileSync(
    join(dir, 'milestones.csv'),
    csv([
      ['doc_id', 'milestone_no', 'path', 'year', 'period', 'kind', 'text'],
      ...plan.milestones.map((m, i) => ['d1', String(i + 1), '1.4', String(m.year), m.period ?? '', 'target', "'-格式转义的文本"]),
    ]),
  );
  return dir;
}

test('a release folder is read back: BOM, header, empty cells as null, order by ord', () => {
  const docs = readRelease(writeRelease());
  const byId = new Map(docs.map((d) => [d.source_id, d]));
  assert.deepEqual(byId.get(plan.source_id)!.document, plan.document);
  assert.deepEqual(byId.get(news.source_id)!.document, news.document);
  assert.deepEqual(
    byId.get(plan.source_id)!.outline.map((n) => n.path),
    plan.outline.map((n) => n.path),
  );
  assert.equal(score([plan, news], docs).macroF1, 1);
});

test('formula-escaped cells lose their leading quote', () => {
  const dir = writeRelease();
  writeFileSync(join(dir, 'principles.csv'), "\ufeffdoc_id,principle_no,path,title,text\r\nd1,1,1.2,'=SUM(A1),\r\nd1,2,1.2,'normal,\r\n");
  assert.deepEqual(readRelease(dir).find((d) => d.source_id === plan.source_id)!.principles, ['=SUM(A1)', "'normal"]);
});

test('npm run score prints the per-field and per-table table', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'score.ts'), GOLD_DIR, writeRelease()], { encoding: 'utf8', cwd: ROOT });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /published_date\s+0\.057/); // 2 of the 35 gold documents are in this release
  assert.match(run.stdout, /outline_path\s+1\.000\s+0\.083/);
  assert.match(run.stdout, /macro F1/);
});
