import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Column, TableSpec } from '../core/tables.ts';

export interface PublishedFile {
  table: TableSpec;
  format: 'csv' | 'parquet' | 'arrow';
  path: string;
  rows: number;
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

/** datapackage.json: every file with its bytes and sha256, schema, keys and a bilingual description of every column. */
export async function buildDataPackage(
  dir: string,
  info: { name: string; title: string; releaseId: string; created: string; codeVersion: string },
  files: PublishedFile[],
): Promise<Record<string, unknown>> {
  const resources = [];
  for (const f of files) {
    const { sha256, bytes } = await fileDigest(`${dir}/${f.path}`);
    resources.push({
      name: f.format === 'csv' ? f.table.name : `${f.table.name}-${f.format}`,
      path: f.path,
      format: f.format,
      mediatype: MEDIA[f.format],
      ...(f.format === 'csv' ? { encoding: 'utf-8-sig', dialect: { delimiter: ',', lineTerminator: '\r\n', header: true } } : {}),
      title: f.table.zh,
      description: `${f.table.en} / ${f.table.zh}`,
      bytes,
      hash: `sha256:${sha256}`,
      rows: f.rows,
      schema: tableSchema(f.table),
    });
  }
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
