// Puts the output folder back in step with the store after a run that was killed midway.
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { noHooks, type Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { TABLES } from '../core/tables.ts';
import { DownloadsBuilder, placeDownloads, readDownloadsManifest, settleDownloads } from '../publish/downloads.ts';
import { openReleaseRows } from '../store/release-files.ts';
import { inspectReleases, pointLatest, releasesDir, settleStaging } from '../publish/files.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import { writeHistory } from './history.ts';

/**
 * Moves a committed release left in staging into place, removes staging never committed, points `latest`
 * at the newest release, places its downloads and writes the history/ partitions a kill left out. Refuses,
 * changing nothing, when releases/ holds release folders the store has no record of.
 */
export async function recover(store: Store, pipeline: Pipeline, logger: Logger): Promise<void> {
  const { outputDir } = pipeline;
  const committed = await store.releaseIds();
  const state = await inspectReleases(outputDir, new Set(committed));
  if (state.unknown.length) {
    throw new CliError(
      `pipeline ${pipeline.config.id}: ${releasesDir(outputDir)} holds ${state.unknown.length} release folder(s) that ${join(outputDir, 'store.duckdb')} has no record of: ${state.unknown.join(', ')}. ` +
        'The store may have been moved, replaced by an older backup or belong to another pipeline. Restore the store.duckdb that published them, or move those folders out of releases/; nothing was changed.',
      { exitCode: EXIT.failed },
    );
  }
  const { placed, removed } = await settleStaging(outputDir, state.staging);
  if (placed.length) logger.warn({ placed }, 'moved into place the committed release a killed run had left in staging');
  if (removed.length) logger.warn({ removed }, 'removed the staging folders a killed run left uncommitted');
  const last = committed.at(-1) ?? null;
  await settleDownloads(outputDir, last);
  if (last === null) return;
  if ((await readDownloadsManifest(outputDir))?.release_id !== last) await rebuildDownloads(pipeline, last, logger);
  if ((await readlink(join(outputDir, 'latest')).catch(() => null)) !== join('releases', last)) await pointLatest(outputDir, last);
  if ((await store.getMeta('history_release')) !== last) await writeHistory(store, pipeline, logger, noHooks);
}

/** downloads/ that do not hold the latest release (placing them failed, or an output of earlier code) are written again from its Parquet parts. */
async function rebuildDownloads(pipeline: Pipeline, releaseId: string, logger: Logger): Promise<void> {
  const { outputDir, config } = pipeline;
  if (!config.publish.formats.includes('parquet')) {
    logger.warn({ stage: 'recover' }, `downloads/ does not hold release ${releaseId}, and without Parquet parts (publish.formats) it is written with the next release`);
    return;
  }
  const rows = await openReleaseRows({ kind: 'folder', dir: join(releasesDir(outputDir), releaseId) }, config.timezone);
  const builder = await DownloadsBuilder.open(outputDir, releaseId, null);
  try {
    for (const t of TABLES) {
      const sorted = await rows.table(t);
      try {
        const parts = [...sorted.counts.keys()].sort();
        await builder.writeCsv(t, parts, sorted, new Set(parts), async () => sorted);
      } finally {
        await sorted.close();
      }
    }
    await builder.finish();
  } catch (err) {
    await builder.abort();
    throw err;
  } finally {
    rows.close();
  }
  await placeDownloads(outputDir, releaseId);
  logger.warn({ stage: 'recover', release_id: releaseId }, `downloads/ did not hold release ${releaseId}: written again from its parts`);
}
