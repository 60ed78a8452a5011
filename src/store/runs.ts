import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunRecord } from '../core/types.ts';

/** The runs table, created with the rest of the store's schema (Store.open). */
export const RUNS_SQL = `CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY, pipeline VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ NOT NULL,
  status VARCHAR NOT NULL, fetched INTEGER, unchanged INTEGER, rejected INTEGER, failed INTEGER, release_id VARCHAR, error VARCHAR)`;

/** Appends one run to the store's runs table (Store.recordRun). */
export async function insertRun(conn: DuckDBConnection, r: RunRecord): Promise<void> {
  await conn.run('INSERT INTO runs VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ), $5, $6, $7, $8, $9, $10, $11)', [
    r.run_id,
    r.pipeline,
    r.started_at,
    r.finished_at,
    r.status,
    r.fetched,
    r.unchanged,
    r.rejected,
    r.failed,
    r.release_id,
    r.error,
  ]);
}
