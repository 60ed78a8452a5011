// Which part file holds each document's rows. A feed mostly adds documents dated today and rarely edits an
// old one, so parts follow publication time: a month's documents, in the order the documents table lists
// them, are cut into parts of DOCS_PER_PART. A new document dated after the others fills the month's last
// part, an edited one rewrites only its own part, and no part ever grows past the cap, so nothing needs
// merging later (Delta Lake's and Iceberg's small-file compaction solves a problem this assignment avoids).
import type { DuckDBConnection } from '@duckdb/node-api';
import { partScope, WHOLE_PART } from '../core/layout.ts';
import { sqlString, type OrderedRows } from '../core/sql.ts';
import { TABLES, type TableSpec } from '../core/tables.ts';
import { readAll } from './duckdb.ts';
import { PART_COLUMN } from './sorted.ts';

/**
 * Documents per part. It bounds what an edit or a new post rewrites (a part's files, in every table) against
 * the number of files: 64 keeps a release's new files under a percent of a 10,000-document output.
 */
const DOCS_PER_PART = 64;

/** Logs kept per document (its versions, its redlines): a document's new version adds to them. */
const DOCUMENT_LOGS = TABLES.filter((t) => t.kind === 'log' && partScope(t) === 'document');
/** Logs not kept per document (the releases, the change feed): every release adds to them. */
const RELEASE_LOGS = TABLES.filter((t) => t.kind === 'log' && partScope(t) !== 'document');
const tableValues = (tables: readonly TableSpec[]): string => tables.map((t) => `(${sqlString(t.name)})`).join(', ');

/** The part assignment of the last release, so a run knows which parts it must rewrite. */
export const DOC_PARTS_SQL = 'CREATE TABLE IF NOT EXISTS doc_parts (doc_id VARCHAR PRIMARY KEY, part VARCHAR NOT NULL)';

export interface PartPlan {
  /** Every part of every document table in this release, in order. */
  documentParts: string[];
  /** The parts of each table that hold a changed, added, removed or moved document (or, for a whole table, any change). */
  dirty: Map<string, Set<string>>;
}

/**
 * Assigns every document ever published to its part, from its latest version (a removed document keeps its
 * place, so its versions and redlines stay where they were), and finds the parts each table must rewrite.
 * Runs inside the release's transaction, after applyRelease; savePartAssignment then keeps the assignment.
 */
export async function planParts(conn: DuckDBConnection): Promise<PartPlan> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE run_parts AS
    WITH docs AS (
      SELECT doc_id, published_at, source_id FROM hist_documents
      QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY _valid_to IS NULL DESC, _valid_from DESC) = 1),
    months AS (SELECT *, coalesce(strftime(published_at, '%Y-%m'), 'undated') AS month FROM docs)
    SELECT doc_id, printf('%s_%03d', month, (row_number() OVER (PARTITION BY month ORDER BY published_at, source_id, doc_id) - 1) // ${DOCS_PER_PART} + 1) AS part
    FROM months`);
  const parts = (await readAll<{ part: string }>(conn, 'SELECT DISTINCT part FROM run_parts ORDER BY part')).map((r) => r.part);
  // A document that moved part dirties both, in every table; one that changed dirties its part in the tables it changed (its versions and redlines follow a new version).
  const rows = await readAll<{ table_name: string; part: string }>(
    conn,
    `WITH moved AS (SELECT coalesce(n.doc_id, o.doc_id) AS doc_id FROM run_parts n FULL JOIN doc_parts o USING (doc_id) WHERE n.part IS DISTINCT FROM o.part),
    touched AS (
      SELECT DISTINCT table_name, doc_id FROM run_changes WHERE doc_id IS NOT NULL
      UNION SELECT t, doc_id FROM run_changes, (VALUES ${tableValues(DOCUMENT_LOGS)}) v(t)
        WHERE table_name = 'documents' AND (change_type <> 'update' OR list_contains(changed_columns, 'version'))
      UNION SELECT t.name, m.doc_id FROM moved m, (VALUES ${tableValues(TABLES.filter((t) => partScope(t) === 'document'))}) t(name)),
    placed AS (SELECT doc_id, part FROM run_parts UNION SELECT doc_id, part FROM doc_parts)
    SELECT DISTINCT table_name, part FROM touched JOIN placed USING (doc_id)
    UNION SELECT DISTINCT table_name, ${sqlString(WHOLE_PART)} FROM run_changes WHERE doc_id IS NULL
    ORDER BY ALL`,
  );
  const dirty = new Map<string, Set<string>>(TABLES.map((t) => [t.name, new Set<string>()]));
  for (const r of rows) dirty.get(r.table_name)?.add(r.part);
  for (const t of RELEASE_LOGS) dirty.get(t.name)!.add(WHOLE_PART);
  return { documentParts: parts, dirty };
}

/** Keeps this release's part assignment (inside the release's transaction). */
export async function savePartAssignment(conn: DuckDBConnection): Promise<void> {
  await conn.run('DELETE FROM doc_parts');
  await conn.run('INSERT INTO doc_parts BY NAME SELECT doc_id, part FROM run_parts');
}

/** The rows of the given parts of a table, tagged with their part (PART_COLUMN), ordered by part then as published. */
export function partRows(t: TableSpec, rows: OrderedRows, parts: readonly string[]): OrderedRows {
  const order = [PART_COLUMN, ...rows.order];
  if (partScope(t) !== 'document') return { select: `SELECT ${sqlString(WHOLE_PART)} AS ${PART_COLUMN}, * FROM (${rows.select})`, order };
  const list = parts.map(sqlString).join(', ') || 'NULL';
  return { select: `SELECT p.part AS ${PART_COLUMN}, r.* FROM (${rows.select}) r JOIN run_parts p ON p.doc_id = r.doc_id WHERE p.part IN (${list})`, order };
}
