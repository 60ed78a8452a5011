import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import { makeWorkspace, runCli, SAMPLE_POSTS, startServe } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/run.ts';
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

describe('zhengce serve of a published release', () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  before(async () => {
    ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, 'govcn-2018-11-09-content_5338761.html')] });
    assert.equal((await runInProcess(ws.file, ws.cwd)).code, 0);
  });

  test('zhengce serve keeps serving through the requests that stopped it, hands out no private file, and stops on SIGTERM', async () => {
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

  test('zhengce serve outlives a file it cannot open (every descriptor in use): logged, that answer cut, the next one served', async () => {
    const serve = await startServe(ws.cwd, ws.file, { openFiles: 256 });
    const exited = once(serve.child, 'exit');
    const port = Number(new URL(serve.url).port);
    const held: Socket[] = [];
    try {
      // Idle connections until the server has no descriptor left: it then closes each new one at once (libuv's EMFILE answer).
      for (let full = false; !full;) {
        assert.ok(held.length < 2000, 'the server never ran out of file descriptors');
        const batch = await Promise.all(
          Array.from(
            { length: 32 },
            () =>
              new Promise<{ socket: Socket; closed: boolean }>((resolve) => {
                const socket = connect(port, '127.0.0.1');
                socket.on('error', () => {});
                const timer = setTimeout(() => resolve({ socket, closed: false }), 300);
                socket.once('close', () => (clearTimeout(timer), resolve({ socket, closed: true })));
              }),
          ),
        );
        full = batch.some((b) => b.closed);
        held.push(...batch.filter((b) => !b.closed).map((b) => b.socket));
      }
      // A request on a connection the server already holds: the file cannot be opened once its headers are out.
      const cut = await new Promise<Buffer>((resolve) => {
        const socket = held.pop()!;
        const chunks: Buffer[] = [];
        socket.on('data', (d: Buffer) => chunks.push(d));
        socket.once('close', () => resolve(Buffer.concat(chunks)));
        socket.write('GET /latest/datapackage.json HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
      });
      const whole = await readFile(join(ws.out, 'latest', 'datapackage.json'));
      assert.ok(!cut.includes(whole), 'the answer was cut off, not completed');
      for (const socket of held.splice(0)) socket.destroy();
      // The server notices the closed connections shortly; until then a new one may be closed at once.
      let good: Awaited<ReturnType<typeof rawGet>> | null = null;
      for (let i = 0; i < 50 && !good; i++) good = await rawGet(serve.url, '/latest/datapackage.json').catch(() => new Promise<null>((r) => setTimeout(() => r(null), 100)));
      assert.equal(good?.status, 200, serve.output());
      assert.deepEqual(good.body, whole);
      assert.match(serve.output(), /"msg":"reading a served file failed"/);
      assert.match(serve.output(), /EMFILE/);
    } finally {
      for (const socket of held) socket.destroy();
      serve.child.kill('SIGTERM');
    }
    assert.deepEqual(await exited, [0, null]);
  });
});
