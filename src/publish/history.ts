import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFolderAside } from '../core/files.ts';
import { HISTORY_FILE, historyPartition } from '../core/layout.ts';

/**
 * Writes one release's partition of a table aside, then renames it into place, so a partition is whole or
 * absent; one that exists is never written again (history/ only grows).
 */
export async function writeHistoryPartition(historyDir: string, table: string, releaseId: string, write: (file: string) => Promise<void>): Promise<void> {
  await writeFolderAside(join(historyDir, historyPartition(table, releaseId)), (tmp) => write(join(tmp, HISTORY_FILE)));
}

/** The one-file history of the earlier layout (history/<table>.parquet), which the partitions replace. */
export async function earlierHistoryFiles(historyDir: string): Promise<string[]> {
  const names = await readdir(historyDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.parquet')).map((n) => join(historyDir, n));
}
