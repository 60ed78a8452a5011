import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeWorkspace, runCli, SAMPLE_POSTS } from '../helpers/cli.ts';
import { join } from 'node:path';

test('zhengce serve refuses a bad --port and a pipeline with no release, saying what to do', async () => {
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
  const port = await runCli(['serve', ws.file, '--port', 'eighty'], ws.cwd);
  assert.equal(port.code, 1);
  assert.match(port.stderr, /--port must be a port number \(0–65535\), not "eighty"/);
  const empty = await runCli(['serve', ws.file], ws.cwd);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /has no release yet; run "zhengce run .*test\.yaml" first/);
});
