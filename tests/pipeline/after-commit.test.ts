import assert from 'node:assert/strict';
import { copyFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { logLines, makeWorkspace, SAMPLE_POSTS } from '../helpers/cli.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';

test('a failure after the commit (history/ cannot be written) leaves the release published, exit 0 with a warning; the next run repairs history', async () => {
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md')] });
  // The runs in process, each a second after the one before (a release id of its own).
  const clock = new RunClock();
  await runInProcess(ws.file, ws.cwd, { clock }).then((r) => assert.equal(r.code, 0, r.stderr));
  // A plain file where the history folder goes: writing history/ fails once the next release is committed.
  await rm(join(ws.out, 'history'), { recursive: true });
  await writeFile(join(ws.out, 'history'), 'not a folder');
  await copyFile(join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html'), join(ws.postsDir, 'govcn-2018-11-09-content_5338761.html'));
  const second = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
  assert.equal(second.code, 0, second.stderr);
  const releases = (await readdir(join(ws.out, 'releases'))).sort();
  assert.equal(releases.length, 2, 'the second release is published');
  assert.equal(await readlink(join(ws.out, 'latest')), join('releases', releases[1]), 'latest points at it');
  const warning = logLines(second.stdout).find((l) => l.level === 40 && l.release_id === releases[1]);
  assert.match(String(warning?.msg), /is published, but putting it in place \(folder, latest, downloads\/, site assets, history\/ or old releases\) failed .*the next run repairs it/);
  await rm(join(ws.out, 'history'));
  const third = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
  assert.equal(third.code, 0, third.stderr);
  for (const r of releases) assert.ok((await stat(join(ws.out, 'history', 'documents', `release_id=${r}`, 'data.parquet'))).isFile(), `history/ holds ${r} again after the next run`);
});
