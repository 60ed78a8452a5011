import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../core/hash.ts';
import { SCHEMA_VERSION } from '../core/tables.ts';

// The sources, also when running from the compiled dist/: both give the same code version.
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** The code whose output lands in the tables: a change in any of it re-processes every post once. */
const EXTRACTING_CODE = ['core', 'parse', 'extract', 'pipeline/rows.ts'];

let cached: Promise<string> | undefined;

async function filesUnder(rel: string): Promise<string[]> {
  if (rel.endsWith('.ts')) return [rel];
  const names = await readdir(join(SRC, rel), { recursive: true });
  return names.filter((n) => n.endsWith('.ts')).map((n) => join(rel, n));
}

/** `<package version>+<hash of the extracting code>`: recorded in every release. */
export function codeVersion(): Promise<string> {
  cached ??= (async () => {
    const pkg = JSON.parse(await readFile(join(SRC, '..', 'package.json'), 'utf8')) as { version: string };
    const files = (await Promise.all(EXTRACTING_CODE.map(filesUnder))).flat().sort();
    const parts = await Promise.all(files.map(async (f) => `${f}\n${await readFile(join(SRC, f), 'utf8')}`));
    return `${pkg.version}+${sha256(`schema ${SCHEMA_VERSION}\n${parts.join('\n')}`).slice(0, 12)}`;
  })();
  return cached;
}
