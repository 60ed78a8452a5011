import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * The one way zhengce opens DuckDB: nothing may reach the network (the extensions it needs, parquet, json
 * and icu, are built in), so extension autoloading is off. `file` ':memory:' reads files without a store.
 */
export async function openDuckDB(file: string, settings: Record<string, string> = {}): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(file, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', ...settings });
  const conn = await instance.connect();
  return {
    instance,
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** A query's rows as plain objects (numbers, strings, lists as arrays). */
export async function readAll<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
}
