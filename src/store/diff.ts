import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES } from '../core/tables.ts';
import { keyedDiffSql } from './keyed-diff.ts';

export interface DocumentChange {
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

const VERSIONED = TABLES.filter((t) => t.kind === 'versioned');
const sqlPath = (p: string): string => `'${p.replaceAll("'", "''")}'`;

/** What changed between any two release folders, computed from their Parquet files in DuckDB. */
export async function diffReleases(fromDir: string, toDir: string): Promise<ReleaseDiff> {
  for (const dir of [fromDir, toDir]) {
    await access(join(dir, 'documents.parquet')).catch(() => {
      throw new Error(`${dir} has no documents.parquet: diff reads the Parquet files of a release (publish.formats must include parquet)`);
    });
  }
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  try {
    const parts = VERSIONED.map((t) => keyedDiffSql(t, `SELECT * FROM read_parquet(${sqlPath(join(fromDir, `${t.name}.parquet`))})`, `SELECT * FROM read_parquet(${sqlPath(join(toDir, `${t.name}.parquet`))})`));
    await conn.run(`CREATE TEMP TABLE d AS ${parts.join(' UNION ALL ')}`);
    const all = async <T>(sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
    const counts = await all<{ table_name: string; change_type: string; n: number }>('SELECT table_name, change_type, count(*)::INT AS n FROM d GROUP BY ALL');
    const count = (table: string, type: string) => counts.find((c) => c.table_name === table && c.change_type === type)?.n ?? 0;
    const tables = VERSIONED.map((t) => ({ table: t.name, inserted: count(t.name, 'insert'), updated: count(t.name, 'update'), deleted: count(t.name, 'delete') }));
    const documents = await all<DocumentChange & { inserted: number; updated: number; deleted: number }>(`
      SELECT doc_id,
        CASE WHEN bool_or(table_name = 'documents' AND change_type = 'insert') THEN 'added'
             WHEN bool_or(table_name = 'documents' AND change_type = 'delete') THEN 'removed' ELSE 'changed' END AS change,
        any_value(coalesce(after, before) ->> 'title') FILTER (table_name = 'documents') AS title,
        any_value(coalesce(after, before) ->> 'published_at') FILTER (table_name = 'documents') AS published_at,
        any_value(coalesce(after, before) ->> 'issuer') FILTER (table_name = 'documents') AS issuer,
        coalesce(any_value(changed_columns) FILTER (table_name = 'documents'), []) AS changed_columns,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'insert')::INT AS inserted,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'update')::INT AS updated,
        count(*) FILTER (table_name = 'provisions' AND change_type = 'delete')::INT AS deleted
      FROM d WHERE doc_id IS NOT NULL GROUP BY doc_id ORDER BY change, published_at NULLS LAST, doc_id`);
    // A document changed only below the documents table has no title in the diff: take it from the newer release.
    const titles = new Map(
      (await all<{ doc_id: string; title: string; published_at: string | null; issuer: string | null }>(
        `SELECT doc_id, title, CAST(published_at AS VARCHAR) AS published_at, issuer FROM read_parquet(${sqlPath(join(toDir, 'documents.parquet'))})`,
      )).map((r) => [r.doc_id, r]),
    );
    return {
      from: fromDir,
      to: toDir,
      tables,
      documents: documents.map(({ inserted, updated, deleted, ...d }) => ({
        ...d,
        title: d.title ?? titles.get(d.doc_id)?.title ?? '',
        published_at: d.published_at ?? titles.get(d.doc_id)?.published_at ?? null,
        issuer: d.issuer ?? titles.get(d.doc_id)?.issuer ?? null,
        provisions: { inserted, updated, deleted },
      })),
    };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
