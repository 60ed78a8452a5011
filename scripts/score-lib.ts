// Scoring of extractions against the hand-checked gold JSONs (pure logic; scripts/score.ts is the CLI).
//
// Metrics (one gold document = one post, matched by source_id):
// - document fields: accuracy per field over the gold documents (a document missing from the
//   extraction counts as wrong on every field); published_date is the date part of published_at.
// - outline: provisions of level ≤ 2 only (gold records levels 1–2). "outline_path" is the F1 of
//   (source_id, path); "outline_label_heading" the F1 of (source_id, path, label, heading).
// - principles: F1 of (source_id, title). milestones: F1 of (source_id, year, period), over the gold
//   documents with is_policy true (a news file's gold lists are not annotated, its document block only).
// All F1s are micro-averaged over documents, with multiset matching (a key printed twice in gold,
// like the paths of the two enclosed 规定 in one notice, must be extracted twice).
// Macro F1 = the unweighted mean of the four table F1s and the ten field accuracies (14 numbers).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { PolicyDocument } from '../src/core/types.ts';

export const FIELD_NAMES = ['is_policy', 'doc_type', 'plan_type', 'plan_name', 'issuer', 'doc_number', 'issued_date', 'published_date', 'period_start', 'period_end'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
export type FieldValues = Record<FieldName, string | number | boolean | null>;

export interface OutlineNode {
  path: string;
  level?: number;
  label: string;
  heading: string;
}

/** One document as scored: the gold JSON shape, also built from a release or an in-memory extraction. */
export interface ScoredDoc {
  source_id: string;
  document: FieldValues;
  outline: OutlineNode[];
  principles: string[];
  milestones: Array<{ year: number; period: string | null }>;
}

export interface F1 {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  predicted: number;
  expected: number;
}

export interface ScoreReport {
  documents: number;
  missing: string[];
  fields: Record<FieldName, number>;
  tables: { outline_path: F1; outline_label_heading: F1; principles: F1; milestones: F1 };
  macroF1: number;
  /** Per source_id, the field names that differ from gold (for reading a failure). */
  fieldErrors: Record<string, FieldName[]>;
}

export function readGoldDir(dir: string): ScoredDoc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScoredDoc);
}

/** A PolicyDocument in the scored shape (what a test has in memory before any release exists). */
export function scoredFromDocument(sourceId: string, doc: PolicyDocument): ScoredDoc {
  const f = doc.fields;
  return {
    source_id: sourceId,
    document: {
      is_policy: f.is_policy,
      doc_type: f.doc_type,
      plan_type: f.plan_type,
      plan_name: f.plan_name,
      issuer: f.issuer,
      doc_number: f.doc_number,
      issued_date: f.issued_date,
      published_date: f.published_at === null ? null : f.published_at.slice(0, 10),
      period_start: f.period_start,
      period_end: f.period_end,
    },
    outline: doc.provisions.map((p) => ({ path: p.path, level: p.level, label: p.label, heading: p.heading })),
    principles: doc.principles.map((p) => p.title),
    milestones: doc.milestones.map((m) => ({ year: m.year, period: m.period })),
  };
}

const FORMULA_ESCAPED = /^'([=+\-@].*)$/s;

/** A CSV cell back to its value: empty is null; the `'` that neutralised a formula is removed. */
function cell(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const m = FORMULA_ESCAPED.exec(value);
  return m ? m[1] : value;
}

/** A table's CSV rows: csv/<table>.csv, its parts csv/<table>/*.csv, or <table>.csv of a release in the earlier layout. */
function readCsv(dir: string, table: string): Array<Record<string, string>> {
  const read = (file: string) => parse(readFileSync(file), { bom: true, columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  if (existsSync(join(dir, 'csv', `${table}.csv`))) return read(join(dir, 'csv', `${table}.csv`));
  const parts = join(dir, 'csv', table);
  if (existsSync(parts))
    return readdirSync(parts)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .flatMap((f) => read(join(parts, f)));
  return read(join(dir, `${table}.csv`));
}

const intOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

/** The documents of a release directory (documents/provisions/principles/milestones CSVs). */
/**
 * The calendar date of a published_at as the release's spreadsheets show it: a release's CSV parts write times
 * in UTC (`…Z`), so the date is taken in the pipeline's time zone (datapackage.json's x_timezone).
 */
function localDate(value: string, timezone: string): string {
  if (!value.endsWith('Z')) return value.slice(0, 10);
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(value));
}

export function readRelease(dir: string): ScoredDoc[] {
  const byDocId = new Map<string, ScoredDoc>();
  const pkg = existsSync(join(dir, 'datapackage.json')) ? (JSON.parse(readFileSync(join(dir, 'datapackage.json'), 'utf8')) as { x_timezone?: string }) : {};
  const timezone = pkg.x_timezone ?? 'Asia/Shanghai';
  for (const row of readCsv(dir, 'documents')) {
    const publishedAt = cell(row.published_at);
    byDocId.set(row.doc_id, {
      source_id: cell(row.source_id) ?? row.doc_id,
      document: {
        is_policy: row.is_policy === 'true',
        doc_type: cell(row.doc_type),
        plan_type: cell(row.plan_type),
        plan_name: cell(row.plan_name),
        issuer: cell(row.issuer),
        doc_number: cell(row.doc_number),
        issued_date: cell(row.issued_date),
        published_date: publishedAt === null ? null : localDate(publishedAt, timezone),
        period_start: intOrNull(cell(row.period_start)),
        period_end: intOrNull(cell(row.period_end)),
      },
      outline: [],
      principles: [],
      milestones: [],
    });
  }
  const docOf = (row: Record<string, string>): ScoredDoc | undefined => byDocId.get(row.doc_id);
  const ordered = readCsv(dir, 'provisions').sort((a, b) => Number(a.ord) - Number(b.ord));
  for (const row of ordered) {
    docOf(row)?.outline.push({ path: row.path, level: Number(row.level), label: cell(row.label) ?? '', heading: cell(row.heading) ?? '' });
  }
  for (const row of readCsv(dir, 'principles')) docOf(row)?.principles.push(cell(row.title) ?? '');
  for (const row of readCsv(dir, 'milestones')) {
    docOf(row)?.milestones.push({ year: Number(row.year), period: cell(row.period) });
  }
  return [...byDocId.values()];
}

function countKeys(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function f1(tp: number, predicted: number, expected: number): F1 {
  const precision = predicted === 0 ? (expected === 0 ? 1 : 0) : tp / predicted;
  const recall = expected === 0 ? 1 : tp / expected;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1: f, tp, predicted, expected };
}

/** Micro F1 with multiset matching over all documents' keys. */
function tableF1(pairs: Array<[gold: string[], got: string[]]>): F1 {
  let tp = 0;
  let predicted = 0;
  let expected = 0;
  for (const [gold, got] of pairs) {
    const want = countKeys(gold);
    for (const [k, n] of countKeys(got)) tp += Math.min(n, want.get(k) ?? 0);
    predicted += got.length;
    expected += gold.length;
  }
  return f1(tp, predicted, expected);
}

const SCORED_LEVEL = 2;

export function score(gold: ScoredDoc[], extracted: ScoredDoc[]): ScoreReport {
  const bySource = new Map(extracted.map((d) => [d.source_id, d]));
  const missing: string[] = [];
  const fieldHits = Object.fromEntries(FIELD_NAMES.map((n) => [n, 0])) as Record<FieldName, number>;
  const fieldErrors: Record<string, FieldName[]> = {};
  const paths: Array<[string[], string[]]> = [];
  const labels: Array<[string[], string[]]> = [];
  const principles: Array<[string[], string[]]> = [];
  const milestones: Array<[string[], string[]]> = [];
  for (const g of gold) {
    const got = bySource.get(g.source_id);
    if (!got) missing.push(g.source_id);
    for (const name of FIELD_NAMES) {
      if (got && got.document[name] === g.document[name]) fieldHits[name]++;
      else (fieldErrors[g.source_id] ??= []).push(name);
    }
    const outline = (got?.outline ?? []).filter((n) => (n.level ?? 1) <= SCORED_LEVEL);
    paths.push([g.outline.map((n) => n.path), outline.map((n) => n.path)]);
    const lh = (n: OutlineNode): string => `${n.path}\u0000${n.label}\u0000${n.heading}`;
    labels.push([g.outline.map(lh), outline.map(lh)]);
    principles.push([g.principles, got?.principles ?? []]);
    const ym = (m: { year: number; period: string | null }): string => `${m.year}|${m.period ?? ''}`;
    // Gold news files annotate only the document block (gold README): a news item's dates are not scored.
    if (g.document.is_policy !== false) milestones.push([g.milestones.map(ym), (got?.milestones ?? []).map(ym)]);
  }
  const n = gold.length || 1;
  const fields = Object.fromEntries(FIELD_NAMES.map((name) => [name, fieldHits[name] / n])) as Record<FieldName, number>;
  const tables = {
    outline_path: tableF1(paths),
    outline_label_heading: tableF1(labels),
    principles: tableF1(principles),
    milestones: tableF1(milestones),
  };
  const parts = [...Object.values(tables).map((t) => t.f1), ...Object.values(fields)];
  return {
    documents: gold.length,
    missing,
    fields,
    tables,
    macroF1: parts.reduce((a, b) => a + b, 0) / parts.length,
    fieldErrors,
  };
}

const pct = (x: number): string => x.toFixed(3);

export function formatReport(report: ScoreReport): string {
  const lines = [`documents scored: ${report.documents}` + (report.missing.length ? ` (missing: ${report.missing.join(', ')})` : '')];
  lines.push('', 'field              accuracy');
  for (const name of FIELD_NAMES) lines.push(`${name.padEnd(18)} ${pct(report.fields[name])}`);
  lines.push('', 'table                   precision  recall  f1      (tp/predicted/expected)');
  for (const [name, t] of Object.entries(report.tables)) {
    lines.push(`${name.padEnd(23)} ${pct(t.precision).padEnd(10)} ${pct(t.recall).padEnd(7)} ${pct(t.f1).padEnd(7)} (${t.tp}/${t.predicted}/${t.expected})`);
  }
  lines.push('', `macro F1 (mean of 4 table F1s and 10 field accuracies): ${pct(report.macroF1)}`);
  return lines.join('\n');
}
