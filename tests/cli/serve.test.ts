import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { makeWorkspace, runCli, SAMPLE_POSTS, startServe } from '../helpers/cli.ts';
import { rawGet, rawRequest } from '../helpers/raw-http.ts';
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

test('zhengce serve keeps serving through the requests that stopped it, hands out no private file, and stops on SIGTERM', async () => {
  const ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
  assert.equal((await runCli(['run', ws.file], ws.cwd)).code, 0);
  const serve = await startServe(ws.cwd, ws.file);
  const exited = once(serve.child, 'exit');
  try {
    const datapackage = await readFile(join(ws.out, 'latest', 'datapackage.json'));
    // Issue #20's requests, as a web page or curl --path-as-is sends them.
    const cases: [string, Record<string, string>, number][] = [
      ['GET /latest/%E0%A4%A HTTP/1.1', {}, 400],
      ['GET //[ HTTP/1.1', {}, 400],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=10-5' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=0-9007199254740992' }, 206],
      ['GET /releases//../store.duckdb HTTP/1.1', {}, 400],
      ['GET /releases//../status.json HTTP/1.1', {}, 400],
      ['GET /store.duckdb HTTP/1.1', {}, 404],
      ['GET /raw/dir-index.json HTTP/1.1', {}, 404],
    ];
    for (const [line, headers, status] of cases) {
      assert.equal((await rawRequest(serve.url, line, headers)).status, status, line);
      const good = await rawGet(serve.url, '/latest/datapackage.json');
      assert.equal(good.status, 200, `after ${line}`);
      assert.deepEqual(good.body, datapackage, `after ${line}`);
    }
  } finally {
    serve.child.kill('SIGTERM');
  }
  assert.deepEqual(await exited, [0, null]);
});
