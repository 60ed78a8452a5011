import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../core/sql.ts';

/** Typed Parquet straight from DuckDB: dates as DATE, times as TIMESTAMP WITH TIME ZONE, lists as lists, zstd. */
export async function writeParquet(conn: DuckDBConnection, query: string, file: string): Promise<void> {
  await conn.run(`COPY (${query}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
}
