import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.ts';

const STAGES = ['sources', 'parse', 'extract', 'store', 'publish', 'site'];
/** What each folder of src/ may import besides itself and src/core, as docs/design.md ("Folders and their import rules") states it. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  ...Object.fromEntries(STAGES.map((stage) => [stage, []])),
  pipeline: STAGES,
  schedule: ['pipeline'],
  cli: ['pipeline', 'schedule'],
};
const IMPORT = /^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const SRC = join(ROOT, 'src');

test('each folder of src/ imports only what docs/design.md allows it: stages only src/core, src/pipeline the stages, src/cli and src/schedule src/pipeline; DuckDB only src/store', async () => {
  const folders = (await readdir(SRC, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(
    folders.filter((f) => !(f in ALLOWED)),
    [],
    'every folder of src/ has its rule here',
  );
  const offences: string[] = [];
  for (const folder of folders) {
    const dir = join(SRC, folder);
    const files = (await readdir(dir, { recursive: true })).filter((f) => /\.m?[jt]s$/.test(f));
    assert.ok(files.length > 0, `src/${folder} has code`);
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        // Only the store holds a DuckDB connection: every other folder asks it.
        if (spec === '@duckdb/node-api' && folder !== 'store') offences.push(`src/${folder}/${f} imports ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = join(dir, f, '..', spec)
          .slice(SRC.length + 1)
          .split('/')[0];
        if (target !== folder && target !== 'core' && !ALLOWED[folder].includes(target)) offences.push(`src/${folder}/${f} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});
