import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HISTORY_FILE, historyPartition } from '../core/layout.ts';
import type { OrderedRows } from '../core/sql.ts';
import type { TableSpec } from '../core/tables.ts';
import { writeParquet } from './parquet.ts';
import { withSortedRows } from './sorted.ts';

/** Writes one release's partition of a table aside, then renames it into place, so a partition is whole or absent. */
export async function writeHistoryPartition(conn: DuckDBConnection, historyDir: string, t: TableSpec, releaseId: string, rows: OrderedRows): Promise<void> {
  const final = join(historyDir, historyPartition(t.name, releaseId));
  const tmp = join(historyDir, t.name, `.tmp-release_id=${releaseId}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await withSortedRows(conn, rows, (query) => writeParquet(conn, query, join(tmp, HISTORY_FILE)));
  await rename(tmp, final);
}

/** The one-file history of the earlier layout (history/<table>.parquet), which the partitions replace. */
export async function earlierHistoryFiles(historyDir: string): Promise<string[]> {
  const names = await readdir(historyDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.parquet')).map((n) => join(historyDir, n));
}
