// The release as a publication: a page per document (before datapackage.json, which lists them), the home page and
// the feed (after it), and, once the release is in place, its search index and the spreadsheets in downloads/.
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/effects.ts';
import { writeFileAside, writeFolderAside } from '../core/files.ts';
import { sha256 } from '../core/hash.ts';
import { DOWNLOADS_DIR, downloadName } from '../core/layout.ts';
import { TABLES } from '../core/tables.ts';
import type { ReleaseFile } from '../publish/datapackage.ts';
import { readDownloadsManifest, recordDownload } from '../publish/downloads.ts';
import { writeTableXlsx } from '../publish/export.ts';
import { releasesDir } from '../publish/files.ts';
import type { ParentRelease } from '../publish/parent.ts';
import { XLSX_MAX_ROWS } from '../publish/xlsx.ts';
import { buildDocumentPage, documentPagesStamp, type PageContext } from '../site/document.ts';
import { buildFeed, FEED_DOCUMENTS, FEED_ENTRIES } from '../site/feed.ts';
import { buildReleasePage, type ReleasePackage } from '../site/page.ts';
import { writeSearchIndex } from '../site/search.ts';
import { describeSource } from '../sources/index.ts';
import {
  changedPageDocIds,
  currentDocIds,
  documentPageData,
  dueTargets,
  newestPlans,
  recentReleases,
  releaseDocuments,
  releaseRedlines,
  searchFingerprints,
  searchTexts,
  timelineRows,
} from '../store/publication.ts';
import { openReleaseRows } from '../store/release-files.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';

/** Documents rendered per batch of queries: bounded memory, a handful of queries per batch. */
const PAGE_BATCH = 500;
/** Parent pages checked and linked at once. */
const LINK_BATCH = 256;
const PAGES_STAMP = 'docs/.stamp';
/** Lists on the home page, and targets past due it names. */
const HOME_LIST = 50;

export interface PublicationOptions {
  store: Store;
  pipeline: Pipeline;
  releaseId: string;
  /** The release folder being written. */
  dir: string;
  /** The parent release, whose unchanged pages are linked once checked; null for a first release. */
  parent: ParentRelease | null;
  logger: Logger;
}

/** The release folders published before `releaseId`, newest first (those pruned by publish.keep are gone and not linked). */
async function earlierReleases(outputDir: string, releaseId: string): Promise<string[]> {
  const names = await readdir(releasesDir(outputDir)).catch(() => [] as string[]);
  return names
    .filter((n) => /^\d{4}-/.test(n) && n < releaseId)
    .sort()
    .reverse();
}

/** The year a time falls in, in a time zone. */
const yearIn = (iso: string, timeZone: string): number => Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(new Date(iso)));

/**
 * docs/<doc_id>.html for every document, returned as release files for datapackage.json: rendered when its page's
 * inputs changed this release (the document, or a plan its page links to), when the parent has no page for it or holds
 * it damaged, or when the page code (or the dataset's name) changed; otherwise the parent's file, linked once checked.
 */
export async function writeDocumentPages(o: PublicationOptions, ctx: PageContext): Promise<{ files: ReleaseFile[]; rendered: number; linked: number }> {
  await mkdir(join(o.dir, 'docs'), { recursive: true });
  const stamp = await documentPagesStamp(ctx);
  const parentStamp = o.parent ? await readFile(join(o.parent.dir, PAGES_STAMP), 'utf8').catch(() => null) : null;
  const all = await currentDocIds(o.store);
  const reuse = parentStamp === stamp;
  const changed = new Set(reuse ? await changedPageDocIds(o.store) : all);
  const files: ReleaseFile[] = [];
  const render: string[] = [];
  let linked = 0;
  // Checked and linked LINK_BATCH at a time: one stat after another cost 0.6 s at 10,000 pages, 7 % of a five-post run.
  for (let i = 0; i < all.length; i += LINK_BATCH) {
    const ids = all.slice(i, i + LINK_BATCH);
    const kept = await Promise.all(
      ids.map(async (id) => {
        const was = reuse && !changed.has(id) ? o.parent!.contents.others.get(`docs/${encodeURIComponent(id)}.html`) : undefined;
        return was && (await o.parent!.link(was, o.dir)) ? was : null;
      }),
    );
    ids.forEach((id, k) => (kept[k] ? files.push(kept[k]) : render.push(id)));
  }
  for (let i = 0; i < render.length; i += PAGE_BATCH) {
    for (const data of await documentPageData(o.store, render.slice(i, i + PAGE_BATCH))) {
      const path = `docs/${encodeURIComponent(data.doc.doc_id)}.html`;
      const html = buildDocumentPage(data, ctx);
      const page = { path, bytes: Buffer.byteLength(html), sha256: sha256(html) };
      // Rendered the same as the parent's (a plan changed elsewhere): its file is linked, so a release's disk follows what changed.
      const was = o.parent?.contents.others.get(path);
      if (was?.sha256 === page.sha256 && (await o.parent!.link(was, o.dir))) linked++;
      else await writeFile(join(o.dir, path), html);
      files.push(page);
    }
  }
  await writeFile(join(o.dir, PAGES_STAMP), stamp);
  return { files, rendered: render.length - linked, linked: all.length - render.length + linked };
}

/** index.html and feed.xml, from the release's datapackage.json and the store (inside the release's transaction). */
export async function writeReleaseHome(o: PublicationOptions, pkg: ReleasePackage): Promise<void> {
  const { config, outputDir } = o.pipeline;
  const releases = await recentReleases(o.store, FEED_ENTRIES);
  const documents = await releaseDocuments(
    o.store,
    releases.map((r) => r.release_id),
    FEED_DOCUMENTS,
  );
  await writeFile(join(o.dir, 'feed.xml'), buildFeed({ name: config.id, title: pkg.title, releases, documents }));
  const self = releases.find((r) => r.release_id === o.releaseId)!;
  const year = yearIn(pkg.created, config.timezone);
  const extraFiles = await Promise.all(
    ['datapackage.json', 'views.sql', 'CHANGELOG.md', 'rejects.csv', 'feed.xml'].map(async (path) => ({ path, rows: 0, bytes: (await stat(join(o.dir, path))).size })),
  );
  const rows = (table: string) => pkg.resources.filter((r) => r.x_table === table && r.format === 'csv').reduce((n, r) => n + r.rows, 0);
  const html = buildReleasePage({
    pkg,
    earlier: await earlierReleases(outputDir, o.releaseId),
    source: describeSource(config.source),
    extraFiles,
    changed: (await releaseDocuments(o.store, [o.releaseId], HOME_LIST)).get(o.releaseId) ?? [],
    counts: { added: self.documents_added, changed: self.documents_changed, removed: self.documents_removed },
    redlines: await releaseRedlines(o.store, o.releaseId, HOME_LIST),
    plans: await newestPlans(o.store, 20),
    timeline: await timelineRows(o.store),
    due: await dueTargets(o.store, year, HOME_LIST),
    year,
    xlsxTables: TABLES.filter((t) => rows(t.name) <= XLSX_MAX_ROWS).map((t) => t.name),
  });
  await writeFile(join(o.dir, 'index.html'), html);
}

/** output/<id>/<name> as a symlink to latest/<name>, so it changes with `latest`, in the same rename. */
export async function followLatest(outputDir: string, name: string, logger: Logger): Promise<void> {
  const path = join(outputDir, name);
  const target = join('latest', name);
  const s = await lstat(path).catch(() => null);
  if (s?.isSymbolicLink() && (await readlink(path)) === target) return;
  if (s) {
    logger.warn({ stage: 'publish', path }, `${path} exists and is not zhengce's link to ${target}: left as it is (move it away to have the latest release's ${name} there)`);
    return;
  }
  await symlink(target, path);
}

/**
 * What a release gets once it is in place and its run recorded, off the run's critical path: its search index
 * (releases/<id>/search, shards unchanged since the parent's linked) and, in downloads/, the XLSX of every table up
 * to XLSX_MAX_ROWS rows. Each is written aside and renamed, so a reader never sees half of one; what a killed run
 * left undone, the next run does. Until then the page says the index is being built and links no stale XLSX.
 */
export async function completeRelease(store: Store, pipeline: Pipeline, releaseId: string, logger: Logger): Promise<void> {
  const { outputDir, config } = pipeline;
  const dir = join(releasesDir(outputDir), releaseId);
  const search = join(dir, 'search');
  if (
    !(await stat(search).then(
      () => true,
      () => false,
    ))
  ) {
    const parent = (await earlierReleases(outputDir, releaseId))[0];
    const documents = await searchFingerprints(store);
    const shards = await writeFolderAside(search, (tmp) =>
      writeSearchIndex({ dir: tmp, parentDir: parent ? join(releasesDir(outputDir), parent, 'search') : null, documents, texts: (ids) => searchTexts(store, ids) }),
    );
    logger.info(
      { stage: 'publish', release_id: releaseId, shards_built: shards.built.length, shards_linked: shards.linked.length },
      `search index of ${releaseId}: ${shards.built.length} shard(s) built, ${shards.linked.length} linked`,
    );
  }
  const manifest = await readDownloadsManifest(outputDir);
  if (manifest?.release_id !== releaseId || !config.publish.formats.includes('parquet')) return;
  const missing = TABLES.filter((t) => !(downloadName(t, 'xlsx') in manifest.files) && (manifest.files[downloadName(t, 'csv')]?.rows ?? 0) <= XLSX_MAX_ROWS);
  if (missing.length === 0) return;
  const rows = await openReleaseRows({ kind: 'folder', dir }, config.timezone);
  try {
    const created = new Date(JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8')).created as string);
    for (const t of missing) {
      const name = downloadName(t, 'xlsx');
      const sorted = await rows.table(t);
      try {
        if (sorted.total > XLSX_MAX_ROWS) continue;
        const written = await writeFileAside(join(outputDir, DOWNLOADS_DIR, name), (tmp) => writeTableXlsx(tmp, t, sorted, { timezone: config.timezone, date: created }));
        await recordDownload(outputDir, name, { ...written, rows: sorted.total, release_id: releaseId });
      } finally {
        await sorted.close();
      }
    }
  } finally {
    rows.close();
  }
  logger.info({ stage: 'publish', release_id: releaseId, tables: missing.length }, `downloads/: ${missing.length} spreadsheet(s) written for ${releaseId}`);
}
