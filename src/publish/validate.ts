import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ReleaseFileReader } from '../core/table-rows.ts';
import { fileDigest } from './datapackage.ts';

interface Field {
  name: string;
  type: string;
  constraints?: { required?: boolean };
}

interface Schema {
  fields: Field[];
  primaryKey: string[];
}

interface FileEntry {
  path: string;
  rows?: number;
  bytes: number;
  hash: string;
}

interface Resource {
  name: string;
  path: string | string[];
  format: 'csv' | 'parquet' | 'arrow';
  bytes: number;
  hash?: string;
  rows: number;
  /** Every file of the resource (its parts); a CSV resource is one file, described by the resource itself. */
  x_files?: FileEntry[];
  /** Inline, or (layout 3) the path of schemas/<table>.json. */
  schema: Schema | string;
}

/** The DuckDB type a Table Schema field reads back as from Parquet. */
const PARQUET_TYPE: Record<string, string> = {
  string: 'VARCHAR',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP WITH TIME ZONE',
  list: 'VARCHAR[]',
  array: 'VARCHAR[]',
  object: 'JSON',
};

export interface ValidationReport {
  resources: number;
  problems: string[];
}

/**
 * Why a path a datapackage.json names is refused, or null when it stays inside the release: a crafted
 * package must not make validate read (and quote) a file elsewhere, such as /etc/passwd.
 */
async function outsideRelease(dir: string, path: unknown): Promise<string | null> {
  if (typeof path !== 'string' || path === '') return 'is not a file name';
  if (isAbsolute(path) || /^[a-zA-Z]:|^\\/.test(path)) return 'is an absolute path';
  if (path.split(/[/\\]/).includes('..')) return 'climbs out with ".."';
  // A symlink inside the release may still point out of it; a missing file is reported as missing.
  const real = await realpath(join(dir, path)).catch(() => null);
  if (real === null) return null;
  const within = relative(await realpath(dir), real);
  return within === '..' || within.startsWith(`..${sep}`) || isAbsolute(within) ? 'is a symlink to a file outside the release' : null;
}

/**
 * Checks every file of a release against its datapackage.json: bytes, sha256, rows, columns, Parquet types,
 * required values and unique keys over each table's parts, and the release's other files (pages, CHANGELOG.md …).
 */
export async function validateRelease(dir: string, reader: ReleaseFileReader): Promise<ValidationReport> {
  let pkg: { resources: Resource[]; x_release_files?: FileEntry[] };
  const refused = await outsideRelease(dir, 'datapackage.json');
  if (refused) return { resources: 0, problems: [`${join(dir, 'datapackage.json')} ${refused}: refused, not read`] };
  try {
    pkg = JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8'));
  } catch (cause) {
    return { resources: 0, problems: [`${join(dir, 'datapackage.json')}: cannot be read as JSON (${(cause as Error).message})`] };
  }
  if (!Array.isArray(pkg?.resources)) return { resources: 0, problems: [`${join(dir, 'datapackage.json')}: has no "resources" list`] };
  const problems: string[] = [];
  let files = 0;
  const schemas = new Map<string, Schema | null>();
  async function schemaOf(r: Resource): Promise<Schema | null> {
    if (typeof r.schema !== 'string') return r.schema;
    if (!schemas.has(r.schema)) {
      const outside = await outsideRelease(dir, r.schema);
      let schema: Schema | null = null;
      if (outside) problems.push(`resource ${JSON.stringify(r.name)}: schema ${JSON.stringify(r.schema)} ${outside}: refused, not read`);
      else
        schema = await readFile(join(dir, r.schema), 'utf8').then(
          (t) => JSON.parse(t) as Schema,
          (e: Error) => (problems.push(`${r.schema}: cannot be read (${e.message.split('\n')[0]})`), null),
        );
      schemas.set(r.schema, schema);
    }
    return schemas.get(r.schema)!;
  }

  /** Checks one listed file's bytes and sha256; true when it is there and inside the release. */
  async function checkFile(e: FileEntry, owner: string): Promise<boolean> {
    files++;
    const outside = await outsideRelease(dir, e.path);
    if (outside) {
      problems.push(`${owner}: path ${JSON.stringify(e.path)} ${outside}: refused, not read (a release lists only its own files)`);
      return false;
    }
    const digest = await fileDigest(join(dir, e.path)).catch(() => null);
    if (digest === null) {
      problems.push(`${e.path}: missing`);
      return false;
    }
    if (digest.bytes !== e.bytes) problems.push(`${e.path}: ${digest.bytes} bytes, datapackage.json says ${e.bytes}`);
    if (`sha256:${digest.sha256}` !== e.hash) problems.push(`${e.path}: sha256 ${digest.sha256} does not match ${e.hash}`);
    return true;
  }

  // Parquet parts of one table across resources, for the key checks over the whole table.
  const keyed = new Map<string, { files: string[]; complete: boolean; schema: Schema; name: string }>();
  for (const r of pkg.resources) {
    const schema = await schemaOf(r);
    const entries: FileEntry[] = r.x_files ?? [{ path: r.path as string, rows: r.rows, bytes: r.bytes, hash: r.hash ?? '' }];
    const readable: string[] = [];
    for (const e of entries) {
      if (!(await checkFile(e, `resource ${JSON.stringify(r.name)}`)) || schema === null) continue;
      const file = join(dir, e.path);
      const say = (what: string) => problems.push(`${e.path}: ${what}`);
      try {
        let names: string[];
        let rows: number;
        if (r.format === 'arrow') {
          // Loaded only for a release with Arrow files: apache-arrow is hundreds of modules.
          const { tableFromIPC } = await import('apache-arrow');
          const table = tableFromIPC(await readFile(file));
          names = table.schema.fields.map((f) => f.name);
          rows = table.numRows;
        } else if (r.format === 'parquet') {
          const described = await reader.parquetColumns(file);
          names = described.map((d) => d.name);
          for (const f of schema.fields) {
            const got = described.find((d) => d.name === f.name)?.type;
            if (got && got !== PARQUET_TYPE[f.type]) say(`column ${f.name} is ${got}, the schema says ${f.type}`);
          }
          rows = await reader.countRows(file, 'parquet');
        } else {
          names = await reader.csvColumns(file);
          rows = await reader.countRows(file, 'csv');
        }
        const expected = schema.fields.map((f) => f.name);
        if (names.join(',') !== expected.join(',')) say(`columns [${names.join(', ')}], the schema says [${expected.join(', ')}]`);
        else readable.push(file);
        if (rows !== e.rows) say(`${rows} rows, datapackage.json says ${e.rows}`);
      } catch (cause) {
        say(`cannot be read as ${r.format}: ${(cause as Error).message.split('\n')[0]}`);
      }
    }
    const total = entries.reduce((n, e) => n + (e.rows ?? 0), 0);
    if (total !== r.rows) problems.push(`${r.name}: its files hold ${total} rows, datapackage.json says ${r.rows}`);
    if (r.format === 'parquet' && schema) keyed.set(r.name, { name: r.name, schema, files: readable, complete: readable.length === entries.length && readable.length > 0 });
  }
  // Keys are unique and required values present over the whole table, across its parts.
  for (const k of keyed.values()) {
    if (!k.complete) continue;
    const found = await reader.keyProblems(
      k.files,
      k.schema.primaryKey,
      k.schema.fields.filter((f) => f.constraints?.required).map((f) => f.name),
    );
    for (const [what, n] of Object.entries(found)) if (n > 0) problems.push(`${k.name}: ${n} rows with ${what}`);
  }
  for (const e of pkg.x_release_files ?? []) await checkFile(e, 'x_release_files');
  return { resources: files, problems };
}
