import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
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
