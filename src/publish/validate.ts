import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quote, sqlString } from '../core/sql.ts';
import { fileDigest } from './datapackage.ts';

interface Field {
  name: string;
  type: string;
  constraints?: { required?: boolean };
}

interface FileEntry {
  path: string;
  rows: number;
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
  /** Every file of the resource (its parts); a release of the earlier one-file layout has only path, bytes and hash. */
  x_files?: FileEntry[];
  schema: { fields: Field[]; primaryKey: string[] };
}

/** The DuckDB type a Table Schema field reads back as from Parquet. */
const PARQUET_TYPE: Record<string, string> = {
  string: 'VARCHAR', integer: 'INTEGER', boolean: 'BOOLEAN', date: 'DATE', datetime: 'TIMESTAMP WITH TIME ZONE', list: 'VARCHAR[]', object: 'JSON',
};

/** read_csv's default max_line_size. */
const DUCKDB_MAX_LINE_SIZE = 2_097_152;

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

/** Checks every file of a release against its datapackage.json: bytes, sha256, rows, columns, types, keys. */
export async function validateRelease(dir: string): Promise<ValidationReport> {
  let pkg: { resources: Resource[] };
  const refused = await outsideRelease(dir, 'datapackage.json');
  if (refused) return { resources: 0, problems: [`${join(dir, 'datapackage.json')} ${refused}: refused, not read`] };
  try {
    pkg = JSON.parse(await readFile(join(dir, 'datapackage.json'), 'utf8'));
  } catch (cause) {
    return { resources: 0, problems: [`${join(dir, 'datapackage.json')}: cannot be read as JSON (${(cause as Error).message})`] };
  }
  if (!Array.isArray(pkg?.resources)) return { resources: 0, problems: [`${join(dir, 'datapackage.json')}: has no "resources" list`] };
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  const all = async <T>(sql: string): Promise<T[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  const problems: string[] = [];
  try {
    for (const r of pkg.resources) {
      const entries: FileEntry[] = r.x_files ?? [{ path: r.path as string, rows: r.rows, bytes: r.bytes, hash: r.hash ?? '' }];
      const expected = r.schema.fields.map((f) => f.name);
      const readable: string[] = [];
      for (const e of entries) {
        const outside = await outsideRelease(dir, e.path);
        if (outside) {
          problems.push(`resource ${JSON.stringify(r.name)}: path ${JSON.stringify(e.path)} ${outside}: refused, not read (a release lists only its own files)`);
          continue;
        }
        const file = join(dir, e.path);
        const say = (what: string) => problems.push(`${e.path}: ${what}`);
        let digest;
        try {
          digest = await fileDigest(file);
        } catch {
          say('missing');
          continue;
        }
        if (digest.bytes !== e.bytes) say(`${digest.bytes} bytes, datapackage.json says ${e.bytes}`);
        if (`sha256:${digest.sha256}` !== e.hash) say(`sha256 ${digest.sha256} does not match ${e.hash}`);
        try {
          let names: string[];
          let rows: number;
          if (r.format === 'arrow') {
            // Loaded only for a release with Arrow files: apache-arrow is hundreds of modules.
            const { tableFromIPC } = await import('apache-arrow');
            const table = tableFromIPC(await readFile(file));
            names = table.schema.fields.map((f) => f.name);
            rows = table.numRows;
          } else {
            // A record may be as long as its file: DuckDB's default limit (2 MB a line) must not fail a CSV zhengce wrote.
            const csvOptions = `header = true, all_varchar = true, max_line_size = ${Math.max(DUCKDB_MAX_LINE_SIZE, digest.bytes)}`;
            const source = r.format === 'parquet' ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, ${csvOptions})`;
            const described = await all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
            names = described.map((d) => d.column_name);
            if (r.format === 'parquet') {
              for (const f of r.schema.fields) {
                const got = described.find((d) => d.column_name === f.name)?.column_type;
                if (got && got !== PARQUET_TYPE[f.type]) say(`column ${f.name} is ${got}, the schema says ${f.type}`);
              }
            }
            [{ rows }] = await all<{ rows: number }>(`SELECT count(*)::INT AS rows FROM ${source}`);
          }
          if (names.join(',') !== expected.join(',')) say(`columns [${names.join(', ')}], the schema says [${expected.join(', ')}]`);
          else readable.push(file);
          if (rows !== e.rows) say(`${rows} rows, datapackage.json says ${e.rows}`);
        } catch (cause) {
          say(`cannot be read as ${r.format}: ${(cause as Error).message.split('\n')[0]}`);
        }
      }
      const total = entries.reduce((n, e) => n + e.rows, 0);
      if (total !== r.rows) problems.push(`${r.name}: its files hold ${total} rows, datapackage.json says ${r.rows}`);
      // Keys are unique and required values present over the whole table, across its parts.
      if (r.format === 'parquet' && readable.length === entries.length && readable.length > 0) {
        const source = `read_parquet([${readable.map(sqlString).join(', ')}])`;
        const required = r.schema.fields.filter((f) => f.constraints?.required);
        const key = r.schema.primaryKey.map(quote).join(', ');
        const [check] = await all<Record<string, number>>(`SELECT count(*) - count(DISTINCT (${key})) AS ${quote('duplicate keys')}
          ${required.map((f) => `, count(*) FILTER (${quote(f.name)} IS NULL) AS ${quote(`null ${f.name}`)}`).join('')} FROM ${source}`);
        for (const [what, n] of Object.entries(check)) if (Number(n) > 0) problems.push(`${r.name}: ${n} rows with ${what}`);
      }
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return { resources: pkg.resources.reduce((n, r) => n + (r.x_files?.length ?? 1), 0), problems };
}
