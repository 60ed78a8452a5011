import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { pipelineSchema } from '../../src/pipeline/config.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

test('every command and every flag its --help shows is documented in README.md', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const top = await runCli(['--help'], ROOT);
  assert.equal(top.code, 0);
  const commands = [...top.stdout.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
  assert.deepEqual(commands, ['run', 'schedule', 'status', 'diff', 'validate', 'export', 'serve'], top.stdout);
  const missing: string[] = [];
  for (const command of commands) {
    if (!readme.includes(`zhengce ${command}`)) missing.push(`zhengce ${command}`);
    const help = await runCli([command, '--help'], ROOT);
    assert.equal(help.code, 0, `${command} --help`);
    for (const [flag] of help.stdout.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) if (!readme.includes(flag)) missing.push(`${command} ${flag}`);
    for (const [, short] of help.stdout.matchAll(/^ {2}(-[a-z]),/gm)) if (!readme.includes(`${short},`)) missing.push(`${command} ${short}`);
  }
  assert.deepEqual(missing, []);
});

/** A schema's object, under the wrappers zod puts around one (default, prefault, optional). */
function objectOf(s: z.ZodType): z.ZodObject | null {
  let t = s as z.ZodType & { _zod: { def: { innerType?: z.ZodType } } };
  while (!(t instanceof z.ZodObject) && t._zod.def.innerType) t = t._zod.def.innerType as typeof t;
  return t instanceof z.ZodObject ? t : null;
}

test("README.md's pipeline key table names exactly the keys the pipeline schema accepts (each source type's, source.http's)", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  const start = lines.indexOf('| key | type | default | meaning |');
  assert.ok(start >= 0, 'the key table is in README.md');
  const documented: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [head, ...keys] = line.split('|')[1].split('—');
    const name = /`([^`]+)`/.exec(head)![1];
    const listed = keys.flatMap((k) => [...k.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const prefix = name.startsWith('source.type: ') ? `source.${name.slice('source.type: '.length)}` : name;
    documented.push(...(listed.length ? listed.map((k) => `${prefix}.${k}`) : [prefix]));
  }
  const accepted: string[] = [];
  for (const [key, schema] of Object.entries(pipelineSchema.shape)) {
    if (key === 'source') {
      for (const option of pipelineSchema.shape.source.options) {
        for (const [k, s] of Object.entries(option.shape)) {
          if (k === 'type') continue;
          if (k === 'http') accepted.push(...Object.keys(objectOf(s)!.shape).map((h) => `source.http.${h}`));
          else accepted.push(`source.${option.shape.type.value}.${k}`);
        }
      }
    } else {
      const inner = objectOf(schema);
      accepted.push(...(inner ? Object.keys(inner.shape).map((k) => `${key}.${k}`) : [key]));
    }
  }
  assert.deepEqual([...new Set(documented)].sort(), [...new Set(accepted)].sort());
});
