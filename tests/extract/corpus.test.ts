// The 35 corpus posts against the hand-checked gold (tests/fixtures/gold, copied from ../shared/gold).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { readGoldDir, score, scoredFromDocument, formatReport } from '../../scripts/score-lib.ts';
import { GOLD_DIR, corpusFileNames, corpusPost } from '../parse/helpers.ts';

const gold = readGoldDir(GOLD_DIR);
const extracted = corpusFileNames().map((name) => {
  const raw = corpusPost(name);
  return scoredFromDocument(raw.sourceId, extractDocument(parsePost(raw)));
});
const report = score(gold, extracted);

test('every gold document has an extraction', () => {
  assert.equal(gold.length, 35);
  assert.deepEqual(report.missing, []);
});

test('macro F1 ≥ 0.95 and outline-path F1 ≥ 0.98', () => {
  assert.ok(report.macroF1 >= 0.95, formatReport(report));
  assert.ok(report.tables.outline_path.f1 >= 0.98, formatReport(report));
});

test('doc_number, issued_date and published_date are exact for every document', () => {
  for (const field of ['doc_number', 'issued_date', 'published_date'] as const) {
    const wrong = Object.entries(report.fieldErrors)
      .filter(([, fields]) => fields.includes(field))
      .map(([id]) => id);
    assert.deepEqual(wrong, [], field);
  }
});
