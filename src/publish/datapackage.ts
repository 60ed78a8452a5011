import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FORMATS, LAYOUT_VERSION, schemaPath, type Format } from '../core/layout.ts';
import { TABLE_BY_NAME, type Column, type TableSpec } from '../core/tables.ts';

/** Who a release is and when: the top of its datapackage.json. */
export interface ReleaseInfo {
  name: string;
  title: string;
  releaseId: string;
  created: string;
  codeVersion: string;
  /** The pipeline's time zone, in which spreadsheets show times (an export of the release shows them alike). */
  timezone: string;
}

/** A file of a release with its size and content hash, as datapackage.json records it. */
export interface ReleaseFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** One part of a table in one format. */
export interface PublishedFile extends ReleaseFile {
  table: TableSpec;
  format: Format;
  part: string;
  rows: number;
}

/** Table Schema field for a column (lists are JSON arrays in the CSV parts; times are UTC there). */
function fieldOf(c: Column): Record<string, unknown> {
  const base = { name: c.name, title: c.zh, description: `${c.en} / ${c.zh}` };
  const constraints = c.required ? { constraints: { required: true } } : {};
  const type = { INTEGER: 'integer', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMPTZ: 'datetime', 'VARCHAR[]': 'array', JSON: 'object', VARCHAR: 'string' }[c.type];
  return { ...base, type, ...constraints };
}

/** schemas/<table>.json: the Table Schema every resource of the table names. */
export function tableSchema(t: TableSpec): Record<string, unknown> {
  return { fields: t.columns.map(fieldOf), primaryKey: t.key, ...(t.foreignKeys ? { foreignKeys: t.foreignKeys } : {}) };
}

export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(file)).size };
}

interface FileEntry {
  path: string;
  part: string;
  rows: number;
  bytes: number;
  hash: string;
}

/**
 * datapackage.json as written: the package's own keys one per line and each resource and file on a line of its
 * own, so a reader can scan it and a release with thousands of parts does not spend most of its bytes on indentation.
 */
export function serializeDataPackage(pkg: Record<string, unknown>): string {
  const value = (v: unknown): string => (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' ? `[\n${v.map((x) => `  ${JSON.stringify(x)}`).join(',\n')}\n]` : JSON.stringify(v));
  return `{\n${Object.entries(pkg)
    .map(([k, v]) => `"${k}": ${value(v)}`)
    .join(',\n')}\n}\n`;
}

/** The part of datapackage.json zhengce reads back: its tables' files and the release's other files. */
export interface PackageDescriptor {
  version: string;
  x_layout?: number;
  resources: {
    name: string;
    format: Format;
    path: string | string[];
    rows: number;
    schema: string | { fields: { name: string; type: string; constraints?: { required?: boolean } }[]; primaryKey: string[] };
    x_table?: string;
    x_part?: string;
    x_files?: FileEntry[];
    bytes?: number;
    hash?: string;
  }[];
  x_release_files?: { path: string; bytes: number; hash: string }[];
}

const hashOf = (f: ReleaseFile): string => `sha256:${f.sha256}`;

/**
 * datapackage.json. Each table is one Parquet (and Arrow) resource listing its parts, and one CSV resource per
 * part, so a Frictionless reader reads every CSV file as written (each has its header); `x_release_files` lists
 * the release's other files (pages, CHANGELOG.md, views.sql …) with their bytes and sha256, so that every file a
 * later release links from this one can be checked first.
 */
export function buildDataPackage(info: ReleaseInfo, files: PublishedFile[], others: ReleaseFile[]): PackageDescriptor & Record<string, unknown> {
  const resources: PackageDescriptor['resources'] & Record<string, unknown>[] = [];
  const byTable = new Map<string, PublishedFile[]>();
  for (const f of files) byTable.set(f.table.name, [...(byTable.get(f.table.name) ?? []), f]);
  for (const group of byTable.values()) {
    const t = group[0].table;
    const about = { schema: schemaPath(t), x_table: t.name };
    for (const format of Object.keys(FORMATS) as Format[]) {
      const mine = group.filter((f) => f.format === format);
      if (mine.length === 0) continue;
      if (format === 'csv') {
        // The CSV dialect is Table Schema's default (comma, double quote, CRLF, a header), so it is not repeated for each part.
        for (const f of mine) resources.push({ name: `${t.name}.${f.part}`, path: f.path, format, encoding: 'utf-8', ...about, rows: f.rows, bytes: f.bytes, hash: hashOf(f), x_part: f.part });
        continue;
      }
      const entries: FileEntry[] = mine.map((f) => ({ path: f.path, part: f.part, rows: f.rows, bytes: f.bytes, hash: hashOf(f) }));
      // The Parquet resource bears the table's name: the one a foreign key's reference names.
      resources.push({
        name: format === 'parquet' ? t.name : `${t.name}.${format}`,
        path: entries.map((e) => e.path),
        format,
        mediatype: FORMATS[format].mediatype,
        ...about,
        title: t.zh,
        description: `${t.en} / ${t.zh}`,
        rows: entries.reduce((n, e) => n + e.rows, 0),
        bytes: entries.reduce((n, e) => n + e.bytes, 0),
        x_files: entries,
      });
    }
  }
  return {
    $schema: 'https://datapackage.org/profiles/2.0/datapackage.json',
    name: info.name,
    title: info.title,
    version: info.releaseId,
    created: info.created,
    x_code_version: info.codeVersion,
    x_timezone: info.timezone,
    x_layout: LAYOUT_VERSION,
    licenses: [{ name: 'public-domain', title: 'Official documents: not protected by copyright (PRC Copyright Law, art. 5)' }],
    resources,
    x_release_files: others.map((f) => ({ path: f.path, bytes: f.bytes, hash: hashOf(f) })),
  };
}

/** A parent release as the next one reads it: every file it lists, by path, with what it should hold. */
export interface ReleaseContents {
  tables: Map<string, PublishedFile>;
  others: Map<string, ReleaseFile>;
}

/** The files a release's datapackage.json lists, or null when it has none or follows an earlier layout (nothing of it can be linked). */
export async function readReleaseContents(dir: string): Promise<ReleaseContents | null> {
  const text = await readFile(join(dir, 'datapackage.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  let pkg: PackageDescriptor;
  try {
    pkg = JSON.parse(text) as PackageDescriptor;
  } catch {
    return null;
  }
  if (pkg.x_layout !== LAYOUT_VERSION) return null;
  const sha = (hash: string) => hash.replace(/^sha256:/, '');
  const tables = new Map<string, PublishedFile>();
  for (const r of pkg.resources) {
    const table = r.x_table ? TABLE_BY_NAME.get(r.x_table) : undefined;
    if (!table) continue;
    if (r.format === 'csv' && typeof r.path === 'string' && r.x_part && r.hash)
      tables.set(r.path, { table, format: 'csv', path: r.path, part: r.x_part, rows: r.rows, bytes: r.bytes ?? 0, sha256: sha(r.hash) });
    for (const e of r.x_files ?? []) tables.set(e.path, { table, format: r.format, path: e.path, part: e.part, rows: e.rows, bytes: e.bytes, sha256: sha(e.hash) });
  }
  const others = new Map((pkg.x_release_files ?? []).map((f) => [f.path, { path: f.path, bytes: f.bytes, sha256: sha(f.hash) }]));
  return { tables, others };
}
