import { DuckDBInstance } from '@duckdb/node-api';

/** Runs one query in a throwaway in-memory DuckDB, the way an analyst reads a release. */
export async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Runs `fn` with `dir` as the working folder, as an analyst's `.read views.sql` there would. */
export async function inFolder<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const home = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(home);
  }
}
