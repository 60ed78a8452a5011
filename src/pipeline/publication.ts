// The release as a publication: its home page, a page per document, the search index and the feed, written into the
// release's staging folder inside its transaction; output/<id>/search and feed.xml follow `latest` by symlink.
import { copyFile, link, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/effects.ts';
import { XLSX_MAX_ROWS } from '../publish/xlsx.ts';
import { writeSiteAssets } from '../site/assets.ts';
import { buildDocumentPage, documentPagesStamp, type PageContext } from '../site/document.ts';
import { buildFeed, FEED_DOCUMENTS, FEED_ENTRIES } from '../site/feed.ts';
import { buildReleasePage, type ReleasePackage } from '../site/page.ts';
import { writeSearchIndex } from '../site/search.ts';
import { changedPageDocIds, currentDocIds, documentPageData, dueTargets, newestPlans, recentReleases, releaseDocuments, releaseRedlines, searchFingerprints, searchTexts, timelineRows } from '../store/publication.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';

/** Documents rendered per batch of queries: bounded memory, a handful of queries per batch. */
const PAGE_BATCH = 500;
const PAGES_STAMP = '.stamp';
/** Lists on the home page, and targets past due it names. */
const HOME_LIST = 50;

export interface PublicationOptions {
  store: Store;
  pipeline: Pipeline;
  releaseId: string;
  /** The release folder being written (its data files and datapackage.json already in it). */
  stagingDir: string;
  /** The parent release's folder, whose unchanged document pages and search shards are linked; null for a first release. */
  parentDir: string | null;
  logger: Logger;
}

/** Where a pipeline's posts come from, in words for the release page. */
function describeSource(source: Pipeline['config']['source']): string {
  if (source.type === 'github') return `GitHub ${source.repo} (${[source.path].flat().join(', ')})`;
  if (source.type === 'feed') return `feed ${source.url}`;
  return `folder ${source.path}`;
}

/** The release folders published before `releaseId`, newest first (those pruned by publish.keep are gone and not linked). */
async function earlierReleases(outputDir: string, releaseId: string): Promise<string[]> {
  const names = await readdir(join(outputDir, 'releases')).catch(() => [] as string[]);
  return names.filter((n) => /^\d{4}-/.test(n) && n < releaseId).sort().reverse();
}

const linkOrCopy = (from: string, to: string): Promise<void> => link(from, to).catch(() => copyFile(from, to));

/**
 * docs/<doc_id>.html for every document: rendered when its page's inputs changed this release (the document, or a
 * plan its page links to), when the parent has no page for it, or when the page code (or the dataset's name) changed;
 * otherwise the parent's file, linked.
 */
async function writeDocumentPages(o: PublicationOptions, ctx: PageContext): Promise<{ rendered: number; linked: number }> {
  const dir = join(o.stagingDir, 'docs');
  await mkdir(dir, { recursive: true });
  const stamp = await documentPagesStamp(ctx);
  const parentDocs = o.parentDir ? join(o.parentDir, 'docs') : null;
  const parentStamp = parentDocs ? await readFile(join(parentDocs, PAGES_STAMP), 'utf8').catch(() => null) : null;
  const all = await currentDocIds(o.store);
  const changed = new Set(parentStamp === stamp ? await changedPageDocIds(o.store) : all);
  const parentHas = new Set(parentStamp === stamp ? await readdir(parentDocs!).catch(() => [] as string[]) : []);
  const render: string[] = [];
  let linked = 0;
  for (const id of all) {
    const file = `${encodeURIComponent(id)}.html`;
    if (!changed.has(id) && parentHas.has(file)) {
      await linkOrCopy(join(parentDocs!, file), join(dir, file));
      linked++;
    } else render.push(id);
  }
  for (let i = 0; i < render.length; i += PAGE_BATCH) {
    for (const data of await documentPageData(o.store, render.slice(i, i + PAGE_BATCH))) {
      await writeFile(join(dir, `${encodeURIComponent(data.doc.doc_id)}.html`), buildDocumentPage(data, ctx));
    }
  }
  await writeFile(join(dir, PAGES_STAMP), stamp);
  return { rendered: render.length, linked };
}

/** output/<id>/<name> as a symlink to latest/<name>, so it changes with `latest`, in the same rename. */
async function followLatest(outputDir: string, name: string, logger: Logger): Promise<void> {
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

/** The year a time falls in, in a time zone. */
const yearIn = (iso: string, timeZone: string): number => Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(new Date(iso)));

/**
 * Writes the release as a publication into its staging folder, inside the release's transaction (it reads this
 * release's change rows): index.html, docs/, search/, feed.xml; and the site's shared assets once per code version.
 */
export async function publishPublication(o: PublicationOptions): Promise<void> {
  const { config, outputDir } = o.pipeline;
  const pkg = JSON.parse(await readFile(join(o.stagingDir, 'datapackage.json'), 'utf8')) as ReleasePackage;
  const ctx: PageContext = { name: pkg.name, title: pkg.title };
  const pages = await writeDocumentPages(o, ctx);
  const search = await writeSearchIndex({
    dir: join(o.stagingDir, 'search'),
    parentDir: o.parentDir ? join(o.parentDir, 'search') : null,
    documents: await searchFingerprints(o.store),
    texts: (ids) => searchTexts(o.store, ids),
  });
  const releases = await recentReleases(o.store, FEED_ENTRIES);
  const documents = await releaseDocuments(o.store, releases.map((r) => r.release_id), FEED_DOCUMENTS);
  await writeFile(join(o.stagingDir, 'feed.xml'), buildFeed({ name: config.id, title: pkg.title, releases, documents }));
  const self = releases.find((r) => r.release_id === o.releaseId)!;
  const year = yearIn(pkg.created, config.timezone);
  const extraFiles = await Promise.all(['datapackage.json', 'views.sql', 'CHANGELOG.md', 'rejects.csv', 'feed.xml'].map(async (path) => ({ path, rows: 0, bytes: (await stat(join(o.stagingDir, path))).size })));
  const csv = pkg.resources.filter((r) => r.format === 'csv');
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
    xlsxTables: csv.filter((r) => r.rows <= XLSX_MAX_ROWS).map((r) => r.x_table),
  });
  await writeFile(join(o.stagingDir, 'index.html'), html);
  await writeSiteAssets(outputDir);
  for (const name of ['search', 'feed.xml']) await followLatest(outputDir, name, o.logger);
  o.logger.info({ stage: 'publish', pages_rendered: pages.rendered, pages_linked: pages.linked, search_shards_built: search.built.length, search_shards_linked: search.linked.length }, `document pages: ${pages.rendered} rendered, ${pages.linked} linked; search: ${search.built.length} shard(s) built, ${search.linked.length} linked`);
}
