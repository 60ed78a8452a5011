import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { PUBLISHED_FILES, PUBLISHED_FOLDERS } from '../../src/core/layout.ts';
import { makeWorkspace, ROOT, SAMPLE_POSTS } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}

test('the GitHub Pages workflow publishes the output folder without the store, raw/ or symlinks', async () => {
  const wf = parseYaml(await readFile(join(ROOT, 'deploy', 'github-pages.yml'), 'utf8')) as { permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
  assert.equal(wf.permissions.pages, 'write');
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  assert.match(steps.map((s) => s.run ?? '').join('\n'), /node --max-old-space-size=512 bin\/zhengce\.js run sample/);
  const assemble = steps.find((s) => s.name === 'Assemble the site')!;
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!;
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/deploy-pages@')));
  // It copies the published set as src/core/layout.ts declares it (latest is rebuilt as a redirect), nothing else.
  const copied = /for entry in ([^;]+);/.exec(assemble.run!)![1].trim().split(/\s+/).sort();
  assert.deepEqual(copied, [...PUBLISHED_FOLDERS, ...PUBLISHED_FILES].filter((e) => e !== 'latest').sort());

  // A real pipeline output, where the workflow's checkout has it, assembled by the workflow's own script.
  const ws = await makeWorkspace({ id: 'sample', posts: [join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
  assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
  const r = spawnSync('bash', ['-e', '-c', assemble.run!], { cwd: ws.cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const site = join(ws.cwd, upload.with!.path);
  const top = (await readdir(site)).sort();
  assert.deepEqual(top, ['downloads', 'feed.xml', 'history', 'index.html', 'latest', 'latest.json', 'releases', 'search', 'site']);
  for (const f of ['feed.xml', 'search']) assert.ok(!(await lstat(join(site, f))).isSymbolicLink(), `${f} is the newest release's copy, not a symlink`);
  assert.ok((await stat(join(site, 'search', 'manifest.json'))).isFile());
  const [id] = await readdir(join(site, 'releases'));
  assert.ok((await stat(join(site, 'releases', id, 'index.html'))).isFile());
  assert.ok((await lstat(join(site, 'latest'))).isDirectory(), 'latest is a folder, not a symlink');
  assert.match(await readFile(join(site, 'latest', 'index.html'), 'utf8'), new RegExp(`url=\\.\\./releases/${id}/index\\.html`));
  assert.ok((await stat(join(site, 'site', 'duckdb-eh.wasm'))).size > 1_000_000);
  // The source output is untouched: the next run still compares against its store.
  assert.ok((await stat(join(ws.out, 'store.duckdb'))).isFile());
});
