import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { quote, sqlString } from '../core/sql.ts';
import { fileDigest } from './datapackage.ts';

interface Field {
  name: string;
  type: string;
  constraints?: { required?: boolean };
}

interface Resource {
  name: string;
  path: string;
  format: 'csv' | 'parquet' | 'arrow';
  bytes: number;
  hash: string;
  rows: number;
  schema: { fields: Field[]; primaryKey: string[] };
}

/** The DuckDB type a Table Schema field reads back as from Parquet. */
const PARQUET_TYPE: Record<string, string> = {
  string: 'VARCHAR', integer: 'INTEGER', boolean: 'BOOLEAN', date: 'DATE', datetime: 'TIMESTAMP WITH TIME ZONE', list: 'VARCHAR[]', object: 'JSON',
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
      const outside = await outsideRelease(dir, r.path);
      if (outside) {
        problems.push(`resource ${JSON.stringify(r.name)}: path ${JSON.stringify(r.path)} ${outside}: refused, not read (a release lists only its own files)`);
        continue;
      }
      const file = join(dir, r.path);
      const say = (what: string) => problems.push(`${r.path}: ${what}`);
      let digest;
      try {
        digest = await fileDigest(file);
      } catch {
        say('missing');
        continue;
      }
      if (digest.bytes !== r.bytes) say(`${digest.bytes} bytes, datapackage.json says ${r.bytes}`);
      if (`sha256:${digest.sha256}` !== r.hash) say(`sha256 ${digest.sha256} does not match ${r.hash}`);
      const expected = r.schema.fields.map((f) => f.name);
      try {
        let names: string[];
        let rows: number;
        if (r.format === 'arrow') {
          const table = tableFromIPC(await readFile(file));
          names = table.schema.fields.map((f) => f.name);
          rows = table.numRows;
        } else {
          const source = r.format === 'parquet' ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header = true, all_varchar = true)`;
          const described = await all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
          names = described.map((d) => d.column_name);
          if (r.format === 'parquet') {
            for (const f of r.schema.fields) {
              const got = described.find((d) => d.column_name === f.name)?.column_type;
              if (got && got !== PARQUET_TYPE[f.type]) say(`column ${f.name} is ${got}, the schema says ${f.type}`);
            }
            const required = r.schema.fields.filter((f) => f.constraints?.required && names.includes(f.name));
            const key = r.schema.primaryKey.map(quote).join(', ');
            const [check] = await all<Record<string, number>>(`SELECT count(*) - count(DISTINCT (${key})) AS ${quote('duplicate keys')}
              ${required.map((f) => `, count(*) FILTER (${quote(f.name)} IS NULL) AS ${quote(`null ${f.name}`)}`).join('')} FROM ${source}`);
            for (const [what, n] of Object.entries(check)) if (Number(n) > 0) say(`${n} rows with ${what}`);
          }
          [{ rows }] = await all<{ rows: number }>(`SELECT count(*)::INT AS rows FROM ${source}`);
        }
        if (names.join(',') !== expected.join(',')) say(`columns [${names.join(', ')}], the schema says [${expected.join(', ')}]`);
        if (rows !== r.rows) say(`${rows} rows, datapackage.json says ${r.rows}`);
      } catch (cause) {
        say(`cannot be read as ${r.format}: ${(cause as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return { resources: pkg.resources.length, problems };
}
