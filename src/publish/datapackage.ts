import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Format } from '../core/layout.ts';
import { createHash } from 'node:crypto';
import { TABLE_BY_NAME, type Column, type TableSpec } from '../core/tables.ts';

/** Where one part's rows sit inside a table's single CSV, so the next release can copy them unchanged. */
export interface CsvPart {
  part: string;
  offset: number;
  bytes: number;
  rows: number;
}

/** One file of a release: a table's part (or its single file) in one format. */
export interface PublishedFile {
  table: TableSpec;
  format: Format;
  path: string;
  /** The part it holds, or null for a file holding the whole table. */
  part: string | null;
  rows: number;
  bytes: number;
  sha256: string;
  csvParts?: CsvPart[];
}

/** Table Schema (Frictionless) field for a column; lists are `list` fields delimited as in the CSV. */
function fieldOf(c: Column): Record<string, unknown> {
  const base = { name: c.name, title: c.zh, description: `${c.en} / ${c.zh}` };
  const constraints = c.required ? { constraints: { required: true } } : {};
  switch (c.type) {
    case 'INTEGER':
      return { ...base, type: 'integer', ...constraints };
    case 'BOOLEAN':
      return { ...base, type: 'boolean', ...constraints };
    case 'DATE':
      return { ...base, type: 'date', ...constraints };
    case 'TIMESTAMPTZ':
      return { ...base, type: 'datetime', ...constraints };
    case 'VARCHAR[]':
      return { ...base, type: 'list', itemType: 'string', delimiter: '; ', ...constraints };
    case 'JSON':
      return { ...base, type: 'object', ...constraints };
    default:
      return { ...base, type: 'string', ...constraints };
  }
}

function tableSchema(t: TableSpec): Record<string, unknown> {
  return {
    fields: t.columns.map(fieldOf),
    primaryKey: t.key,
    ...(t.foreignKeys ? { foreignKeys: t.foreignKeys } : {}),
  };
}

export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(file)).size };
}

const MEDIA = { csv: 'text/csv', parquet: 'application/vnd.apache.parquet', arrow: 'application/vnd.apache.arrow.file' } as const;

/** A resource's files: its parts with their rows, bytes and sha256 (the resource's `path` lists the same paths in order). */
interface FileEntry {
  path: string;
  part: string | null;
  rows: number;
  bytes: number;
  hash: string;
}

/**
 * datapackage.json: one resource per table and format, listing every file (a Data Package multi-file
 * resource when a table is in parts) with its bytes and sha256, schema, keys and bilingual descriptions.
 */
export function buildDataPackage(info: { name: string; title: string; releaseId: string; created: string; codeVersion: string }, files: PublishedFile[]): Record<string, unknown> {
  const groups = new Map<string, PublishedFile[]>();
  for (const f of files) {
    const key = `${f.table.name}\u0000${f.format}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const resources = [...groups.values()].map((group) => {
    const [first] = group;
    const entries: FileEntry[] = group.map((f) => ({ path: f.path, part: f.part, rows: f.rows, bytes: f.bytes, hash: `sha256:${f.sha256}` }));
    const single = group.length === 1;
    return {
      name: first.format === 'csv' ? first.table.name : `${first.table.name}-${first.format}`,
      path: single ? first.path : entries.map((e) => e.path),
      format: first.format,
      mediatype: MEDIA[first.format],
      ...(first.format === 'csv' ? { encoding: 'utf-8-sig', dialect: { delimiter: ',', lineTerminator: '\r\n', header: true } } : {}),
      title: first.table.zh,
      description: `${first.table.en} / ${first.table.zh}`,
      ...(single ? { bytes: first.bytes, hash: `sha256:${first.sha256}` } : { bytes: entries.reduce((n, e) => n + e.bytes, 0) }),
      rows: entries.reduce((n, e) => n + e.rows, 0),
      x_table: first.table.name,
      x_files: entries,
      ...(first.csvParts ? { x_csv_parts: first.csvParts } : {}),
      schema: tableSchema(first.table),
    };
  });
  return {
    $schema: 'https://datapackage.org/profiles/2.0/datapackage.json',
    name: info.name,
    title: info.title,
    version: info.releaseId,
    created: info.created,
    x_code_version: info.codeVersion,
    licenses: [{ name: 'public-domain', title: 'Official documents: not protected by copyright (PRC Copyright Law, art. 5)' }],
    resources,
  };
}

/** The files a release's datapackage.json lists, by path; a release in the earlier one-file layout lists none. */
export async function readPublishedFiles(dir: string): Promise<Map<string, PublishedFile>> {
  const text = await readFile(join(dir, 'datapackage.json'), 'utf8').catch(() => null);
  const files = new Map<string, PublishedFile>();
  if (text === null) return files;
  const pkg = JSON.parse(text) as { resources: { format: Format; x_table?: string; x_files?: FileEntry[]; x_csv_parts?: CsvPart[] }[] };
  for (const r of pkg.resources) {
    const table = r.x_table ? TABLE_BY_NAME.get(r.x_table) : undefined;
    if (!table || !r.x_files) continue;
    for (const e of r.x_files) {
      files.set(e.path, { table, format: r.format, path: e.path, part: e.part, rows: e.rows, bytes: e.bytes, sha256: e.hash.replace(/^sha256:/, ''), ...(r.x_csv_parts ? { csvParts: r.x_csv_parts } : {}) });
    }
  }
  return files;
}
