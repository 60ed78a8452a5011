import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.ts';

const STAGES = ['sources', 'parse', 'extract', 'store', 'publish'];
const IMPORT = /^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

test('each stage folder imports only src/core (and packages), never another stage', async () => {
  const offences: string[] = [];
  for (const stage of STAGES) {
    const dir = join(ROOT, 'src', stage);
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0, `src/${stage} has code`);
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (!spec.startsWith('.')) continue;
        const target = join(dir, f, '..', spec);
        const rel = target.slice(join(ROOT, 'src').length + 1);
        if (!rel.startsWith(`${stage}/`) && !rel.startsWith('core/')) offences.push(`src/${stage}/${f} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});
