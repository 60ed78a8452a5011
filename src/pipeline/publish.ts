// Publish: one release, whole or not at all. Its files are written into a staging folder while the store's
// transaction is open; the commit makes it the newest release; only then is the folder renamed into place,
// `latest` moved, downloads/ replaced and history/ written (a kill after the commit is finished by recover).
import { join, relative } from 'node:path';
import type { Clock, Logger, RunHooks } from '../core/effects.ts';
import { partScope, WHOLE_PART } from '../core/layout.ts';
import { SCHEMA_VERSION, TABLES } from '../core/tables.ts';
import type { RejectRow } from '../core/types.ts';
import { buildChangelog } from '../publish/changelog.ts';
import { DownloadsBuilder, placeDownloads } from '../publish/downloads.ts';
import { makeStagingDir, placeStagedRelease, pointLatest, pruneReleases, releasesDir, removeStaging } from '../publish/files.ts';
import { readReleaseContents } from '../publish/datapackage.ts';
import { ParentRelease } from '../publish/parent.ts';
import { writeStamps } from '../publish/stamps.ts';
import { writeReleaseMeta, writeTableFiles } from '../publish/release.ts';
import { writeSiteAssets } from '../site/assets.ts';
import type { ReleasePackage } from '../site/page.ts';
import type { ReleaseInfo, RunCounts, Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';
import { writeHistory } from './history.ts';
import { followLatest, writeDocumentPages, writeReleaseHome } from './publication.ts';

export interface PublishInput {
  /** The newest release before this run, read once: nothing but this transaction adds one (one process writes the store). */
  parent: ReleaseInfo | null;
  counts: RunCounts;
  cursor: string | null;
  fetchFailures: RejectRow[];
  codeVersion: string;
}

export interface PublishContext {
  clock: Clock;
  logger: Logger;
  hooks: RunHooks;
}

export interface Published {
  /** The new release, or null when nothing changed. */
  releaseId: string | null;
  /** False when putting the committed release in place failed: the next run's recovery finishes it. */
  placed: boolean;
  /** Every post whose last processing failed, and this run's fetch failures. */
  rejects: RejectRow[];
}

/** Release ids are UTC times to the second; a second run within the same second waits its turn by one. */
function nextReleaseId(now: Date, last: string | null): string {
  const id = (d: Date) =>
    d
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
      .replaceAll(':', '');
  let t = new Date(Math.floor(now.getTime() / 1000) * 1000);
  while (last !== null && id(t) <= last) t = new Date(t.getTime() + 1000);
  return id(t);
}

/** Posts whose last processing failed, as the post states just saved say, with this run's fetch failures, in source_id order. */
async function allRejects(store: Store, fetchFailures: RejectRow[]): Promise<RejectRow[]> {
  const failed = new Set(fetchFailures.map((r) => r.source_id));
  const stored = (await store.rejectedPosts()).filter((r) => !failed.has(r.source_id));
  return [...stored, ...fetchFailures].sort((a, b) => (a.source_id < b.source_id ? -1 : a.source_id > b.source_id ? 1 : 0));
}

/** Saves the run's post states and, when anything changed, writes and commits a release, then puts it in place. */
export async function publish(store: Store, pipeline: Pipeline, input: PublishInput, ctx: PublishContext): Promise<Published> {
  const { config, outputDir } = pipeline;
  const { parent, counts } = input;
  let staged: { dir: string; downloads: DownloadsBuilder } | null = null;
  const published = await store
    .transaction(async (): Promise<Published> => {
      await store.savePostStates(input.codeVersion, input.cursor);
      const rejects = await allRejects(store, input.fetchFailures);
      if (counts.changes === 0) return { releaseId: null, placed: true, rejects };
      const releaseId = nextReleaseId(ctx.clock.now(), parent?.release_id ?? null);
      // To the second, as every time the tables hold.
      const created = new Date(Math.floor(ctx.clock.now().getTime() / 1000) * 1000).toISOString();
      await store.applyRelease(
        {
          release_id: releaseId,
          created_at: created,
          parent_release_id: parent?.release_id ?? null,
          code_version: input.codeVersion,
          schema_version: SCHEMA_VERSION,
          inputs_sha256: await store.inputsSha256(input.codeVersion),
        },
        counts,
      );
      await ctx.hooks.at('applied');
      const plan = await store.planParts();
      const dir = await makeStagingDir(outputDir, releaseId);
      staged = { dir, downloads: await DownloadsBuilder.open(outputDir, releaseId, parent?.release_id ?? null) };
      const from = parent && (await ParentRelease.open(outputDir, parent.release_id));
      if (parent && !from)
        ctx.logger.warn({ stage: 'publish', parent: parent.release_id }, `release ${parent.release_id} is in an earlier layout: it stays as it is, and release ${releaseId} writes every file anew`);
      const tables = TABLES.map((t) => ({
        spec: t,
        parts: partScope(t) === 'document' ? plan.documentParts : [WHOLE_PART],
        dirty: plan.dirty.get(t.name)!,
        sort: (parts: readonly string[]) => store.sortedRows(t, releaseId, parts),
      }));
      const files = await writeTableFiles({ dir, parent: from || null, formats: config.publish.formats, downloads: staged.downloads }, tables);
      const changelog = buildChangelog({ ...(await store.changelogInput()), releaseId, parentReleaseId: parent?.release_id ?? null, rejects });
      const info = { name: config.id, title: config.title || config.id, releaseId, created, codeVersion: input.codeVersion, timezone: config.timezone };
      const site = { store, pipeline, releaseId, dir, parent: from || null, logger: ctx.logger };
      const pages = await writeDocumentPages(site, { name: info.name, title: info.title });
      const pkg = await writeReleaseMeta(
        {
          dir,
          parent: from || null,
          tables: TABLES,
          formats: config.publish.formats,
          rejects,
          changelog,
          viewsSearchPath: ['.', relative(pipeline.cwd, join(releasesDir(outputDir), releaseId)) || '.'],
          info,
        },
        files,
        pages.files,
      );
      await writeReleaseHome(site, pkg as unknown as ReleasePackage);
      ctx.logger.info({ stage: 'publish', pages_rendered: pages.rendered, pages_linked: pages.linked }, `document pages: ${pages.rendered} rendered, ${pages.linked} linked`);
      for (const d of from ? [...from.damaged].sort((a, b) => (a.path < b.path ? -1 : 1)) : []) {
        ctx.logger.warn(
          { stage: 'publish', file: d.path, found: d.found, shared_by: d.sharedBy },
          `${join(releasesDir(outputDir), parent!.release_id, d.path)} no longer holds what release ${parent!.release_id} published (${d.found}): it was changed in place, so every release sharing it is damaged (${d.sharedBy.join(', ')}); release ${releaseId} writes it anew from the store. \`zhengce validate -p ${config.id} <release>\` lists what each release holds damaged.`,
        );
      }
      await store.savePartAssignment();
      await ctx.hooks.at('written');
      return { releaseId, placed: false, rejects };
    })
    .catch(async (err: unknown) => {
      if (staged) await Promise.all([removeStaging(staged.dir), staged.downloads.abort()]).catch(() => {});
      throw err;
    });
  return published.releaseId ? { ...published, placed: await place(store, pipeline, published.releaseId, ctx) } : published;
}

/**
 * Puts a committed release in place: its folder, `latest`, downloads/, the site's shared assets, history/, and
 * prunes old folders. Each step only moves or adds files; a failure leaves it to the next run's recovery.
 */
async function place(store: Store, pipeline: Pipeline, releaseId: string, ctx: PublishContext): Promise<boolean> {
  const { outputDir, config } = pipeline;
  await ctx.hooks.at('committed');
  try {
    await placeStagedRelease(outputDir, releaseId);
    await ctx.hooks.at('renamed');
    await pointLatest(outputDir, releaseId);
    for (const name of ['search', 'feed.xml']) await followLatest(outputDir, name, ctx.logger);
    await placeDownloads(outputDir, releaseId);
    await writeSiteAssets(outputDir);
    await writeHistory(store, pipeline, ctx.logger, ctx.hooks);
    if (config.publish.keep) await pruneReleases(outputDir, await store.releaseIds(), config.publish.keep);
    // Last, once every link and removal that moves a file's ctime is done: the next release checks these files by stamp.
    const placed = join(releasesDir(outputDir), releaseId);
    const contents = await readReleaseContents(placed);
    if (contents) await writeStamps(outputDir, releaseId, placed, [...contents.tables.keys(), ...contents.others.keys()]);
    return true;
  } catch (err) {
    ctx.logger.warn(
      { stage: 'publish', release_id: releaseId },
      `release ${releaseId} is published, but putting it in place (folder, latest, downloads/, site assets, history/ or old releases) failed (${(err as Error).message}); the next run repairs it`,
    );
    return false;
  }
}
