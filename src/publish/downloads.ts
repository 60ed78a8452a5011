// output/<id>/downloads/: the latest release's whole tables, one file a table, for spreadsheets (BOM, formulas
// neutralised). Each CSV lists its rows part by part, so the next release copies the byte ranges of the parts
// it did not change and writes only the others; a release's files are staged, then renamed into place.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DOWNLOADS_DIR, downloadName } from '../core/layout.ts';
import { readJson, writeFileAtomic } from '../core/files.ts';
import type { SortedRows } from '../core/table-rows.ts';
import type { TableSpec } from '../core/tables.ts';
import { appendCsvRows, csvHeader, HashedFile } from './csv.ts';
import { fileDigest } from './datapackage.ts';
import { sameStamp, stampOf, type Stamp } from './stamps.ts';

/** Where one part's rows sit in a table's CSV. */
interface PartRange {
  part: string;
  offset: number;
  bytes: number;
  rows: number;
}

export interface DownloadFile {
  bytes: number;
  sha256: string;
  rows: number;
  /** The release whose table the file holds. */
  release_id: string;
  parts?: PartRange[];
  /** The file as it was placed: while its stamp stands its bytes need not be read again to be trusted. */
  stamp?: Stamp;
}

/** downloads/.zhengce-downloads.json: the files zhengce wrote there; any other file of the folder is the user's and left alone. */
export interface DownloadsManifest {
  release_id: string;
  files: Record<string, DownloadFile>;
}

const MANIFEST = '.zhengce-downloads.json';
const STAGING_PREFIX = '.tmp-';
const downloadsDir = (outputDir: string): string => join(outputDir, DOWNLOADS_DIR);

export async function readDownloadsManifest(outputDir: string): Promise<DownloadsManifest | null> {
  return readJson<DownloadsManifest>(join(downloadsDir(outputDir), MANIFEST));
}

/** Writes a release's downloads into a staging folder beside the current ones, splicing from them where it can. */
export class DownloadsBuilder {
  private readonly files: Record<string, DownloadFile> = {};

  private constructor(
    private readonly outputDir: string,
    private readonly releaseId: string,
    private readonly staging: string,
    /** The current downloads, when they hold the parent release (so their unchanged parts can be copied). */
    private readonly previous: DownloadsManifest | null,
  ) {}

  static async open(outputDir: string, releaseId: string, parentReleaseId: string | null): Promise<DownloadsBuilder> {
    const staging = join(downloadsDir(outputDir), `${STAGING_PREFIX}${releaseId}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const manifest = await readDownloadsManifest(outputDir);
    const previous = manifest && parentReleaseId !== null && manifest.release_id === parentReleaseId ? manifest : null;
    return new DownloadsBuilder(outputDir, releaseId, staging, previous);
  }

  /**
   * Writes `<table>.csv`: the parts in `rendered` from its rows, every other part copied from the current file,
   * or, when that file does not hold the parent's table intact, every part from `all()`.
   */
  async writeCsv(t: TableSpec, parts: readonly string[], rendered: SortedRows, renderedParts: ReadonlySet<string>, all: () => Promise<SortedRows>): Promise<void> {
    const name = downloadName(t, 'csv');
    const was = this.previous?.files[name];
    const wasFile = join(downloadsDir(this.outputDir), name);
    const fromRendered = parts.every((p) => renderedParts.has(p));
    const copyable = !fromRendered && was?.parts !== undefined && parts.every((p) => renderedParts.has(p) || was.parts!.some((r) => r.part === p)) && (await intact(wasFile, was));
    const source = fromRendered ? rendered : copyable ? null : await all();
    const file = new HashedFile(join(this.staging, name));
    const ranges: PartRange[] = [];
    try {
      await file.write(csvHeader(t.columns, 'spreadsheet'));
      for (const part of parts) {
        const offset = file.bytes;
        let rows: number;
        if (source) rows = await appendCsvRows(file, source.csvRows(part, 'spreadsheet'), 'spreadsheet');
        else if (renderedParts.has(part)) rows = await appendCsvRows(file, rendered.csvRows(part, 'spreadsheet'), 'spreadsheet');
        else {
          const range = was!.parts!.find((r) => r.part === part)!;
          await file.copyRange(wasFile, range.offset, range.bytes);
          rows = range.rows;
        }
        ranges.push({ part, offset, bytes: file.bytes - offset, rows });
      }
      const digest = await file.close();
      this.files[name] = { ...digest, rows: ranges.reduce((n, r) => n + r.rows, 0), release_id: this.releaseId, parts: ranges };
    } catch (err) {
      await file.abort();
      throw err;
    } finally {
      if (source !== rendered) await source?.close();
    }
  }

  /** The staged downloads' manifest entries, for placeDownloads after the release is committed. */
  async finish(): Promise<void> {
    await writeFileAtomic(join(this.staging, MANIFEST), `${JSON.stringify({ release_id: this.releaseId, files: this.files }, null, 2)}\n`);
  }

  async abort(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}

/** Whether a current download still holds what its manifest says (a user may have opened and saved it in place). */
async function intact(file: string, was: DownloadFile): Promise<boolean> {
  if (sameStamp(await stampOf(file), was.stamp)) return true;
  const digest = await fileDigest(file).catch(() => null);
  return digest !== null && digest.bytes === was.bytes && digest.sha256 === was.sha256;
}

/**
 * Moves a committed release's staged downloads into place, file by file (each rename is atomic), then its
 * manifest; the files of the previous manifest that this release does not replace (its spreadsheets) are
 * removed, since they hold the previous release. Any file zhengce did not write is left alone.
 */
export async function placeDownloads(outputDir: string, releaseId: string): Promise<boolean> {
  const dir = downloadsDir(outputDir);
  const staging = join(dir, `${STAGING_PREFIX}${releaseId}`);
  const staged = await readJson<DownloadsManifest>(join(staging, MANIFEST));
  if (staged === null) return false;
  const before = await readDownloadsManifest(outputDir);
  for (const name of Object.keys(staged.files)) {
    await rename(join(staging, name), join(dir, name));
    staged.files[name].stamp = (await stampOf(join(dir, name))) ?? undefined;
  }
  for (const name of Object.keys(before?.files ?? {})) if (!(name in staged.files)) await rm(join(dir, name), { force: true });
  await writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(staged, null, 2)}\n`);
  await rm(staging, { recursive: true, force: true });
  return true;
}

/** Adds a file written after the release was placed (a spreadsheet) to the manifest. */
export async function recordDownload(outputDir: string, name: string, file: DownloadFile): Promise<void> {
  const manifest = await readDownloadsManifest(outputDir);
  if (manifest === null || manifest.release_id !== file.release_id) return;
  manifest.files[name] = { ...file, stamp: (await stampOf(join(downloadsDir(outputDir), name))) ?? undefined };
  await writeFileAtomic(join(downloadsDir(outputDir), MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Staging folders of downloads a killed run left: the committed release's is placed, the others removed. */
export async function settleDownloads(outputDir: string, latest: string | null): Promise<void> {
  const dir = downloadsDir(outputDir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const releaseId = name.slice(STAGING_PREFIX.length);
    if (releaseId !== latest || !(await placeDownloads(outputDir, releaseId))) await rm(join(dir, name), { recursive: true, force: true });
  }
}
