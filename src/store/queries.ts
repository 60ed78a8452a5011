import { quote, sqlString, type OrderedRows } from '../core/sql.ts';
import { keyExpr, MOVED_ONLY_DOCS } from './keyed-diff.ts';
import { orderOf, type TableSpec } from '../core/tables.ts';
import { columnList, histName } from './schema.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readAll } from './duckdb.ts';

/** Exactly the rows of table `t` in release `releaseId`, and their published order (read inside the release transaction). */
export function releaseRows(t: TableSpec, releaseId: string): OrderedRows {
  const where = t.kind === 'versioned' ? ' WHERE _valid_to IS NULL' : t.scope === 'release' ? ` WHERE release_id = ${sqlString(releaseId)}` : '';
  return { select: `SELECT ${columnList(t)} FROM ${histName(t)}${where}`, order: orderOf(t) };
}

/**
 * The row versions release `releaseId` wrote into table `t`, for history/<table>/release_id=<id>/: the new
 * image of each inserted or updated row, and a tombstone (key columns only) per deleted key, told apart by `_op`.
 * The change feed's rows carry their release in the partition, not a column.
 */
export function historyPartitionRows(t: TableSpec, releaseId: string): OrderedRows {
  const r = sqlString(releaseId);
  if (t.kind === 'log') {
    return {
      select: `SELECT ${t.columns
        .filter((c) => c.name !== 'release_id')
        .map((c) => quote(c.name))
        .join(', ')} FROM ${histName(t)} WHERE release_id = ${r}`,
      order: orderOf(t).filter((c) => c !== 'release_id'),
    };
  }
  const h = histName(t);
  const closed = `SELECT ${keyExpr(t, 'c')} FROM ${h} c WHERE c._valid_to = ${r}`;
  const opened = `SELECT ${keyExpr(t, 'o')} FROM ${h} o WHERE o._valid_from = ${r}`;
  const tombstone = t.columns.map((c) => (t.key.includes(c.name) ? `d.${quote(c.name)}` : `CAST(NULL AS ${c.type}) AS ${quote(c.name)}`)).join(', ');
  return {
    select: `SELECT ${columnList(t, 'n')}, CASE WHEN ${keyExpr(t, 'n')} IN (${closed}) THEN 'update' ELSE 'insert' END AS _op FROM ${h} n WHERE n._valid_from = ${r}
      UNION ALL SELECT ${tombstone}, 'delete' AS _op FROM ${h} d WHERE d._valid_to = ${r} AND ${keyExpr(t, 'd')} NOT IN (${opened})`,
    order: orderOf(t),
  };
}

/** Over one document's rows of `changes`: whether the document was added, removed or changed (in any table). */
export const DOCUMENT_CHANGE = `CASE WHEN bool_or(table_name = 'documents' AND change_type = 'insert') THEN 'added'
  WHEN bool_or(table_name = 'documents' AND change_type = 'delete') THEN 'removed' ELSE 'changed' END`;

/** Redlines quoted per changed document in CHANGELOG.md; the rest are in redlines.csv. */
const REDLINE_SAMPLES = 3;

interface ChangedDoc {
  doc_id: string;
  kind: 'added' | 'changed' | 'removed';
  title: string;
  published_at: string | null;
  issuer: string | null;
  doc_type: string;
  changed_columns: string[] | null;
  /** For a removal: the post's status this run ('filtered' when it stopped passing the filter) and why. */
  post_status: string | null;
  post_reason: string | null;
  from_version: number | null;
  to_version: number | null;
}

/** Columns that say the content changed; CHANGELOG.md says that in words instead of listing them. */
const VERSION_COLUMNS = new Set(['content_sha256', 'version']);

/** The documents this run adds, changes and removes, summarised for CHANGELOG.md. */
export async function changelogInput(conn: DuckDBConnection) {
  const rows = await readAll<ChangedDoc>(
    conn,
    `
    WITH docs AS (
      SELECT doc_id,
        ${DOCUMENT_CHANGE} AS kind,
        any_value(changed_columns) FILTER (table_name = 'documents') AS changed_columns,
        any_value(CAST(before ->> 'version' AS INTEGER)) FILTER (table_name = 'documents') AS from_version,
        any_value(CAST(after ->> 'version' AS INTEGER)) FILTER (table_name = 'documents') AS to_version
      FROM run_changes WHERE doc_id IS NOT NULL AND doc_id NOT IN (${MOVED_ONLY_DOCS}) GROUP BY doc_id)
    SELECT d.*, coalesce(n.title, h.title) AS title, CAST(coalesce(n.published_at, h.published_at) AS VARCHAR) AS published_at,
      coalesce(n.issuer, h.issuer) AS issuer, coalesce(n.doc_type, h.doc_type) AS doc_type, p.status AS post_status, p.reason AS post_reason
    FROM docs d
    LEFT JOIN new_documents n USING (doc_id)
    LEFT JOIN stage_posts p USING (doc_id)
    LEFT JOIN (SELECT * FROM hist_documents QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY _valid_from DESC) = 1) h USING (doc_id)
    ORDER BY published_at NULLS LAST, title, doc_id`,
  );
  const counts = await readAll<{ doc_id: string; change_type: string; n: number }>(conn, 'SELECT doc_id, change_type, count(*)::INT AS n FROM run_redlines GROUP BY ALL');
  const samples = await readAll<{ doc_id: string; label: string; change_type: string; diff: string | null; old_text: string | null; new_text: string | null }>(
    conn,
    `
    SELECT doc_id, label, change_type, diff, old_text, new_text FROM run_redlines
    QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY change_type = 'moved' AND diff IS NULL, path) <= ${REDLINE_SAMPLES}
    ORDER BY doc_id, change_type = 'moved' AND diff IS NULL, path`,
  );
  const pick = (kind: ChangedDoc['kind']) =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => ({
        doc_id: r.doc_id,
        title: r.title,
        published_at: r.published_at,
        issuer: r.issuer,
        doc_type: r.doc_type,
        changed_columns: (r.changed_columns ?? []).filter((c) => !VERSION_COLUMNS.has(c)),
        revised: r.from_version !== null && r.to_version !== null && r.from_version !== r.to_version ? { from: r.from_version, to: r.to_version } : undefined,
        redlineCounts: Object.fromEntries(counts.filter((c) => c.doc_id === r.doc_id).map((c) => [c.change_type, c.n])),
        ...(kind === 'removed' ? { reason: r.post_status === 'filtered' ? `no longer passes the pipeline's filter: ${r.post_reason}` : 'gone from the source (deleted upstream)' } : {}),
        redlines: samples.filter((x) => x.doc_id === r.doc_id).map((x) => ({ label: x.label, change_type: x.change_type, text: x.diff ?? x.new_text ?? x.old_text ?? '' })),
      }));
  const moved = await readAll<{ from: string; to: string; count: number }>(
    conn,
    `
    WITH m AS (SELECT regexp_extract(before ->> 'source_path', '^(.*)/[^/]*$', 1) AS "from", regexp_extract(after ->> 'source_path', '^(.*)/[^/]*$', 1) AS "to"
      FROM run_changes WHERE table_name = 'documents' AND doc_id IN (${MOVED_ONLY_DOCS}))
    SELECT "from", "to", count(*)::INT AS count FROM m GROUP BY ALL ORDER BY ALL`,
  );
  return { added: pick('added'), changed: pick('changed'), removed: pick('removed'), moved };
}
