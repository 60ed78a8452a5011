// history/: what each release wrote, one hive partition per table and release, written once and never again.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger, RunHooks } from '../core/effects.ts';
import { writeFileAtomic } from '../core/files.ts';
import { TABLES, type TableSpec } from '../core/tables.ts';
import { buildHistoryViewsSql } from '../core/views.ts';
import { earlierHistoryFiles, writeHistoryPartition } from '../publish/history.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';

/** The tables history/ keeps: every snapshot table, and the change feed. */
const HISTORY_TABLES: readonly TableSpec[] = TABLES.filter((t) => t.history);

/**
 * Writes the history/ partition of every committed release that lacks one (the new release, one a killed run
 * missed, or every release of an output in an earlier layout), then history/views.sql, the one file rewritten.
 */
export async function writeHistory(store: Store, pipeline: Pipeline, logger: Logger, hooks: RunHooks): Promise<void> {
  const dir = join(pipeline.outputDir, 'history');
  await mkdir(dir, { recursive: true });
  const releases = await store.releaseIds();
  for (const t of HISTORY_TABLES) {
    // One listing per table: any release whose partition is missing (a kill, a deleted folder, the earlier layout) is written.
    const present = new Set(await readdir(join(dir, t.name)).catch(() => [] as string[]));
    for (const releaseId of releases) {
      if (present.has(`release_id=${releaseId}`)) continue;
      await writeHistoryPartition(dir, t.name, releaseId, (file) => store.writeHistoryRows(t, releaseId, file));
      await hooks.at('history');
    }
  }
  // The one-file history of the earlier layout is zhengce's own and now held whole by the partitions.
  const earlier = await earlierHistoryFiles(dir);
  for (const f of earlier) await rm(f);
  if (earlier.length) logger.warn({ removed: earlier }, 'history/ converted to one partition per release (history/<table>/release_id=<id>/); the one-file history it replaces was removed');
  // The search path also names the folder as seen from where the pipeline runs, so `.read output/<id>/history/views.sql` works there.
  await writeFileAtomic(join(dir, 'views.sql'), buildHistoryViewsSql(HISTORY_TABLES, ['.', relative(pipeline.cwd, dir) || '.']));
  await store.setMeta('history_release', releases.at(-1) ?? null);
}
