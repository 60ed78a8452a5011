import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quote, sqlString } from '../core/sql.ts';
import { partsGlob, singleParquetPath } from '../core/layout.ts';
import { TABLE_BY_NAME, VERSIONED } from '../core/tables.ts';
import { keyedDiffSql } from './keyed-diff.ts';
import { DOCUMENT_CHANGE } from './queries.ts';
import { openDuckDB } from './duckdb.ts';

interface DocumentChange {
  doc_id: string;
  change: 'added' | 'changed' | 'removed';
  title: string;
  published_at: string | null;
  issuer: string | null;
  changed_columns: string[];
  provisions: { inserted: number; updated: number; deleted: number };
}

export interface ReleaseDiff {
  from: string;
  to: string;
  tables: { table: string; inserted: number; updated: number; deleted: number }[];
  documents: DocumentChange[];
}

/** A release's Parquet rows of a table: its parts, or the one file of a release in the earlier layout. */
async function tableReader(dir: string): Promise<(table: string) => string> {
  const parts = await stat(join(dir, 'documents')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!parts) {
    await access(join(dir, 'documents.parquet')).catch(() => {
      throw new Error(`${dir} has no Parquet files: diff reads the Parquet files of a release (publish.formats must include parquet)`);
    });
  }
  return (table) => `read_parquet(${sqlString(join(dir, (parts ? partsGlob : singleParquetPath)(TABLE_BY_NAME.get(table)!)))})`;
}

/**
 * Views `<side>_<table>` over a release's files with every column of today's tables, a column its files
 * lack (a release by earlier code, before documents.source_path) read as NULL.
 */
async function defineViews(conn: DuckDBConnection, side: string, read: (table: string) => string): Promise<(table: string) => string> {
  for (const t of VERSIONED) {
    const present = new Set(((await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${read(t.name)}`)).getRowObjectsJson() as { column_name: string }[]).map((c) => c.column_name));
    const cols = t.columns.map((c) => (present.has(c.name) ? quote(c.name) : `CAST(NULL AS ${c.type}) AS ${quote(c.name)}`)).join(', ');
    await conn.run(`CREATE TEMP VIEW ${side}_${t.name} AS SELECT ${cols} FROM ${read(t.name)}`);
  }
  return (table) => `${side}_${table}`;
}

/** What changed between any two release folders, computed from their Parquet files in DuckDB. */
export async function diffReleases(fromDir: string, toDir: string): Promise<ReleaseDiff> {
  const fromFiles = await tableReader(fromDir);
  const toFiles = await tableReader(toDir);
  const db = await openDuckDB(':memory:');
  const conn = db.conn;
  try {
    const from = await defineViews(conn, 'a', fromFiles);
    const to = await defineViews(conn, 'b', toFiles);
    const parts = VERSIONED.map((t) => keyedDiffSql(t, `SELECT * FROM ${from(t.name)}`, `SELECT * FROM ${to(t.name)}`));
    await conn.run(`CREATE TEMP TABLE d AS ${parts.join(' UNION ALL ')}`);
    const all = async <T>(sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
    const counts = await all<{ table_name: string; change_type: string; n: number }>('SELECT table_name, change_type, count(*)::INT AS n FROM d GROUP BY ALL');
    const count = (table: string, type: string) => counts.find((c) => c.table_name === table && c.change_type === type)?.n ?? 0;
    const tables = VERSIONED.map((t) => ({ table: t.name, inserted: count(t.name, 'insert'), updated: count(t.name, 'update'), deleted: count(t.name, 'delete') }));
    // Title, date and issuer from the newer release, or the older one for a removed document: also for a
    // document that changed only below the documents table, so it sorts by its date like the others.
    const documents = await all<DocumentChange & { inserted: number; updated: number; deleted: number }>(`
      WITH c AS (
        SELECT doc_id,
          ${DOCUMENT_CHANGE} AS change,
          coalesce(any_value(changed_columns) FILTER (table_name = 'documents'), []) AS changed_columns,
          count(*) FILTER (table_name = 'provisions' AND change_type = 'insert')::INT AS inserted,
          count(*) FILTER (table_name = 'provisions' AND change_type = 'update')::INT AS updated,
          count(*) FILTER (table_name = 'provisions' AND change_type = 'delete')::INT AS deleted
        FROM d WHERE doc_id IS NOT NULL GROUP BY doc_id)
      SELECT c.doc_id, c.change, coalesce(n.title, o.title, '') AS title,
        CAST(coalesce(n.published_at, o.published_at) AS VARCHAR) AS published_at, coalesce(n.issuer, o.issuer) AS issuer,
        c.changed_columns, c.inserted, c.updated, c.deleted
      FROM c
      LEFT JOIN ${to('documents')} n USING (doc_id)
      LEFT JOIN ${from('documents')} o USING (doc_id)
      ORDER BY c.change, coalesce(n.published_at, o.published_at) NULLS LAST, c.doc_id`);
    return {
      from: fromDir,
      to: toDir,
      tables,
      documents: documents.map(({ inserted, updated, deleted, ...d }) => ({ ...d, provisions: { inserted, updated, deleted } })),
    };
  } finally {
    db.close();
  }
}
