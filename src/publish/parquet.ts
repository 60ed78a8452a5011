import type { DuckDBConnection } from '@duckdb/node-api';

/** Typed Parquet straight from DuckDB: dates as DATE, times as TIMESTAMP WITH TIME ZONE, lists as lists, zstd. */
export async function writeParquet(conn: DuckDBConnection, query: string, file: string): Promise<void> {
  await conn.run(`COPY (${query}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
}
