import type { DuckDBConnection } from '@duckdb/node-api';
import { partScope, WHOLE_PART } from '../core/layout.ts';
import { sqlString, type OrderedRows } from '../core/sql.ts';
import { TABLES, type TableSpec } from '../core/tables.ts';

/** A year's documents per part before the year is split in two, four, … by doc_id (at most 256 parts a year). */
export const DOCS_PER_PART = 2048;

/** Which part each document's rows are published in: kept between runs, so a run knows the parts it must rewrite. */
export const DOC_PARTS_SQL = 'CREATE TABLE IF NOT EXISTS doc_parts (doc_id VARCHAR PRIMARY KEY, year VARCHAR NOT NULL, part VARCHAR NOT NULL)';

/** 0–255 from the first two hex digits of a doc_id (a sha256 prefix): a stable, even split. */
const DOC_BYTE = `((instr('0123456789abcdef', substr(doc_id, 1, 1)) - 1) * 16 + instr('0123456789abcdef', substr(doc_id, 2, 1)) - 1)`;

export interface PartPlan {
  /** Every part of every document table in this release, in order. */
  documentParts: string[];
  /** The parts of each table that hold a changed, added, removed or moved document (or, for a whole table, any change). */
  dirty: Map<string, Set<string>>;
}

/**
 * Assigns this release's documents to parts (year of publication, split by doc_id when a year is large) and
 * finds the parts each table must rewrite; the caller's transaction then keeps the assignment with the release.
 */
export async function planParts(conn: DuckDBConnection): Promise<PartPlan> {
  const all = async <T>(sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  // A removed document keeps its year: its versions and redlines stay published in its part.
  await conn.run(`CREATE OR REPLACE TEMP TABLE run_parts AS
    WITH years AS (
      SELECT doc_id, coalesce(CAST(year(published_at) AS VARCHAR), 'undated') AS year FROM hist_documents WHERE _valid_to IS NULL
      UNION ALL SELECT doc_id, year FROM doc_parts WHERE doc_id NOT IN (SELECT doc_id FROM hist_documents WHERE _valid_to IS NULL)),
    sized AS (SELECT *, CAST(least(256, pow(2, ceil(log2(greatest(1, ceil(count(*) OVER (PARTITION BY year) / ${DOCS_PER_PART})))))) AS INTEGER) AS buckets FROM years)
    SELECT doc_id, year, CASE WHEN buckets = 1 THEN year ELSE printf('%s-%03dof%03d', year, ${DOC_BYTE} % buckets, buckets) END AS part FROM sized`);
  const parts = (await all<{ part: string }>('SELECT DISTINCT part FROM run_parts ORDER BY part')).map((r) => r.part);
  // A document that moved part dirties both; one that changed dirties its parts in the tables it changed (its versions and redlines follow documents).
  const rows = await all<{ table_name: string; part: string }>(`
    WITH moved AS (SELECT coalesce(n.doc_id, o.doc_id) AS doc_id FROM run_parts n FULL JOIN doc_parts o USING (doc_id) WHERE n.part IS DISTINCT FROM o.part),
    touched AS (
      SELECT DISTINCT table_name, doc_id FROM run_changes WHERE doc_id IS NOT NULL
      UNION SELECT t, doc_id FROM run_changes, (VALUES ('document_versions'), ('redlines')) v(t) WHERE table_name = 'documents'
      UNION SELECT t.name, m.doc_id FROM moved m, (VALUES ${TABLES.filter((t) => partScope(t) === 'document').map((t) => `(${sqlString(t.name)})`).join(', ')}) t(name)),
    placed AS (SELECT doc_id, part FROM run_parts UNION SELECT doc_id, part FROM doc_parts)
    SELECT DISTINCT table_name, part FROM touched JOIN placed USING (doc_id)
    UNION SELECT DISTINCT table_name, ${sqlString(WHOLE_PART)} FROM run_changes WHERE doc_id IS NULL
    ORDER BY ALL`);
  const dirty = new Map<string, Set<string>>(TABLES.map((t) => [t.name, new Set<string>()]));
  for (const r of rows) dirty.get(r.table_name)?.add(r.part);
  dirty.get('releases')!.add(WHOLE_PART);
  if (parts.length === 0) for (const t of TABLES) if (partScope(t) === 'document') dirty.get(t.name)!.add(WHOLE_PART);
  return { documentParts: parts.length ? parts : [WHOLE_PART], dirty };
}

/** Keeps this release's part assignment (inside the release's transaction). */
export async function savePartAssignment(conn: DuckDBConnection): Promise<void> {
  await conn.run('DELETE FROM doc_parts');
  await conn.run('INSERT INTO doc_parts BY NAME SELECT doc_id, year, part FROM run_parts');
}

/** The rows of the given parts of a table, tagged with their part (`_part`), ordered by part then as published. */
export function partRows(t: TableSpec, rows: OrderedRows, parts: readonly string[]): OrderedRows {
  const list = parts.map(sqlString).join(', ') || 'NULL';
  if (partScope(t) !== 'document') return { select: `SELECT ${sqlString(WHOLE_PART)} AS _part, * FROM (${rows.select})`, order: ['_part', ...rows.order] };
  return {
    select: `SELECT p.part AS _part, r.* FROM (${rows.select}) r JOIN run_parts p ON p.doc_id = r.doc_id WHERE p.part IN (${list})`,
    order: ['_part', ...rows.order],
  };
}
