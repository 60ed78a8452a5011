// zhengce serve's HTTP server against a real pipeline's output folder, over loopback sockets written byte for byte.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PUBLISHED_FILES, PUBLISHED_FOLDERS } from '../../src/core/layout.ts';
import { serveSite, type SiteServer } from '../../src/site/serve.ts';
import { makeWorkspace, SAMPLE_POSTS } from '../helpers/cli.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';
import { rawGet, rawRequest, type RawResponse } from '../helpers/raw-http.ts';

const POST = 'govcn-2018-11-09-content_5338761.html';
/** What the server says when it refuses: no byte of any file. Node's own parser answers some malformed requests with no body. */
const REFUSAL = /^(|not found\n|bad request: [^\n]*\n|only GET and HEAD\n)$/;

describe('zhengce serve', () => {
  /** The runs (in process) a second apart: the one made while serving gets a release id of its own. */
  const clock = new RunClock();
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  let site: SiteServer;
  let release: string;
  /** Paths relative to the output folder that must never be served: the run's working state, staging and dot-entries, and files outside it. */
  let privateFiles: string[];
  /** What the run wrote at the top of the output folder. */
  let written: string[];

  before(async () => {
    ws = await makeWorkspace({ posts: [join(SAMPLE_POSTS, POST)] });
    assert.equal((await runInProcess(ws.file, ws.cwd, { clock })).code, 0);
    release = (await readlink(join(ws.out, 'latest'))).split('/').pop()!;
    written = (await readdir(ws.out)).sort();
    const staging = `releases/.tmp-${release}9`;
    // What a run leaves beside the real store.duckdb, raw/ and status.json while it works, and what a user may keep there.
    await writeFile(join(ws.out, 'store.duckdb.wal'), 'PRIVATE write-ahead log');
    await mkdir(join(ws.out, 'store.duckdb.tmp'));
    await writeFile(join(ws.out, 'store.duckdb.tmp', 'spill-0.bin'), 'PRIVATE spill');
    await writeFile(join(ws.out, 'run.lock'), JSON.stringify({ pid: 1, host: 'private' }));
    await writeFile(join(ws.out, 'runs-pending.jsonl'), '{"run_id":"PRIVATE"}\n');
    await writeFile(join(ws.out, 'downloads', '.zhengce-downloads.json'), 'PRIVATE manifest', { flag: 'a' });
    await cp(join(ws.out, 'releases', release), join(ws.out, staging), { recursive: true });
    await cp(join(ws.out, 'history', 'documents', `release_id=${release}`), join(ws.out, 'history', 'documents', `.tmp-release_id=${release}9`), { recursive: true });
    await writeFile(join(ws.out, 'releases', 'CHANGES.md'), 'a user file in releases/, not a release');
    await cp(join(ws.out, 'site'), join(ws.out, 'site.tmp-4242'), { recursive: true });
    await symlink(join('releases', release), join(ws.out, '.latest-4242'));
    await mkdir(join(ws.out, '.git'));
    await writeFile(join(ws.out, '.git', 'config'), 'PRIVATE git config');
    privateFiles = [
      'store.duckdb',
      'store.duckdb.wal',
      'store.duckdb.tmp/spill-0.bin',
      'raw/dir-index.json',
      'run.lock',
      'status.json',
      'source-state.json',
      'runs-pending.jsonl',
      'downloads/.zhengce-downloads.json',
      `${staging}/datapackage.json`,
      `history/documents/.tmp-release_id=${release}9/data.parquet`,
      'releases/CHANGES.md',
      'site.tmp-4242/app.js',
      '.latest-4242/datapackage.json',
      '.git/config',
      // Outside the output folder: the pipeline file and a source post.
      '../../test.yaml',
      `../../posts/${POST}`,
    ];
    site = await serveSite(ws.out, 0);
  });

  after(async () => {
    await site?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<RawResponse> => rawGet(site.url, path, headers);

  /** The server still answers: the latest release's datapackage.json, byte for byte. */
  async function assertStillServing(after: string): Promise<void> {
    const res = await get('/latest/datapackage.json').catch((err: Error) => assert.fail(`after ${after}: ${err.message}`));
    assert.equal(res.status, 200, `after ${after}`);
    assert.deepEqual(res.body, await readFile(join(ws.out, 'latest', 'datapackage.json')), `after ${after}`);
  }

  /** Requests `paths` 16 at a time and returns those not refused with 400, 404 or 414 and a body of no file's bytes. */
  async function notRefused(paths: string[]): Promise<string[]> {
    const bad: string[] = [];
    for (let i = 0; i < paths.length; i += 16) {
      const batch = paths.slice(i, i + 16);
      const answers = await Promise.all(batch.map((p) => get(p)));
      answers.forEach((r, j) => {
        if (![400, 404, 414].includes(r.status) || !REFUSAL.test(r.body.toString('latin1'))) bad.push(`${batch[j]} → ${r.status} (${r.body.length} bytes)`);
      });
    }
    return bad;
  }

  /** Every way of reaching `target` (relative to the output folder) that a path-normalising or decoding bug would let through. */
  function traversalSpellings(target: string): string[] {
    const starts = ['', 'latest', `releases/${release}`];
    const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '..%00', '..%5c'];
    const seps = ['/', '//', '/./', '%2f', '%2F', '%5c', '\\', '%252f', '/%2e/'];
    const hex = (s: string, prefix: string): string => [...Buffer.from(s)].map((b) => `${prefix}${b.toString(16).padStart(2, '0')}`).join('');
    const out = new Set<string>([
      `/${target}`,
      `/${target.toUpperCase()}`,
      `/${target[0].toUpperCase()}${target.slice(1)}`,
      `/${target}.`,
      `/${target}/`,
      `/${target}%00`,
      `/${target}%00.html`,
      `/${target}%20`,
      `/${target}::$DATA`,
      `/${hex(target, '%')}`,
      `/${hex(target, '%25')}`,
      `/${target.replaceAll('/', '%2f')}`,
      `/./${target}`,
      `//${target}`,
      `/latest/../${target}`,
      `/releases//../${target}`,
      `/x/..//${target}`,
      `/latest/..%2f${target}`,
      `/latest%2f..%2f${target}`,
      `/latest/${release}/../../${target}`,
    ]);
    for (const start of starts) {
      const depth = start === '' ? 0 : start.split('/').length;
      // Climbing past the root too (where a normaliser would clamp) from the top and from latest/.
      for (const beyond of depth < 2 ? [0, 3] : [0])
        for (const dot of dots)
          for (const sep of seps) {
            const climb = `${dot}${sep}`.repeat(depth + beyond);
            out.add(`/${start === '' ? '' : `${start}${sep}`}${climb}${target}`);
            if (target.includes('/')) out.add(`/${start === '' ? '' : `${start}${sep}`}${climb}${target.replaceAll('/', sep)}`);
          }
    }
    return [...out];
  }

  test('everything a run writes at the top of the output folder is declared published or is the working state', () => {
    const declared: readonly string[] = [...PUBLISHED_FOLDERS, ...PUBLISHED_FILES];
    const workingState = ['raw', 'run.lock', 'status.json', 'store.duckdb', 'store.duckdb.wal', 'source-state.json', 'runs-pending.jsonl', '.stamps.json'];
    assert.deepEqual(
      written.filter((name) => !declared.includes(name) && !workingState.includes(name)),
      [],
    );
    assert.ok(written.includes('store.duckdb') && written.includes('releases'), written.join(' '));
  });

  test('a private file gets 400 or 404 and none of its bytes, however its path is spelt', async (t) => {
    // The spellings of issue #20 first, then the generated ones.
    const issue = ['/releases//../store.duckdb', '/x/..//store.duckdb', '/releases//../status.json', '/releases//../raw/dir-index.json'];
    assert.deepEqual(await notRefused(issue), []);
    const spellings = privateFiles.flatMap(traversalSpellings);
    t.diagnostic(`${spellings.length} spellings of ${privateFiles.length} private files`);
    assert.deepEqual((await notRefused(spellings)).slice(0, 30), []);
    await assertStillServing('the traversal spellings');
  });

  test('a symlink out of the published set is not followed; latest, and a symlink to a published file, are', async () => {
    const inRelease = join(ws.out, 'releases', release);
    await symlink('../../store.duckdb', join(inRelease, 'leak-store.duckdb'));
    await symlink('/etc/passwd', join(inRelease, 'leak-passwd'));
    await symlink(ws.file, join(inRelease, 'leak-pipeline.yaml'));
    await symlink('../../raw', join(inRelease, 'leak-raw'));
    await symlink(`../.tmp-${release}9`, join(inRelease, 'leak-staging'));
    await mkdir(join(inRelease, 'leak-page'));
    await symlink('../../../status.json', join(inRelease, 'leak-page', 'index.html'));
    await symlink('../raw', join(ws.out, 'releases', 'leak-release'));
    await symlink('../status.json', join(ws.out, 'site', 'leak-status.json'));
    await symlink('..', join(ws.out, 'history', 'leak-root'));
    await symlink('../../latest.json', join(inRelease, 'linked-latest.json'));
    const planted = [
      `/releases/${release}/leak-store.duckdb`,
      '/latest/leak-store.duckdb',
      '/latest/leak-passwd',
      '/latest/leak-pipeline.yaml',
      '/latest/leak-raw/dir-index.json',
      '/latest/leak-staging/datapackage.json',
      '/latest/leak-page/',
      '/releases/leak-release/dir-index.json',
      '/site/leak-status.json',
      '/history/leak-root/store.duckdb',
      '/history/leak-root/status.json',
    ];
    // A FIFO is not a published file: answered 404 at once, never read (which would hold the request).
    if (spawnSync('mkfifo', [join(inRelease, 'fifo')]).status === 0) planted.push('/latest/fifo');
    for (const path of planted) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.toString(), 'not found\n', path);
    }
    const linked = await get('/latest/linked-latest.json');
    assert.equal(linked.status, 200);
    assert.deepEqual(linked.body, await readFile(join(ws.out, 'latest.json')));
    await assertStillServing('the planted symlinks');
  });

  test('a malformed request is refused with 400, 405, 414, 416 or 431, and the next request is answered', async () => {
    const cases: [string | Buffer, Record<string, string>, number][] = [
      ['GET /latest/%E0%A4%A HTTP/1.1', {}, 400],
      ['GET //[ HTTP/1.1', {}, 400],
      ['GET /latest/%00 HTTP/1.1', {}, 400],
      ['GET /latest/index.html%00.json HTTP/1.1', {}, 400],
      [Buffer.from('GET /latest/\0index.html HTTP/1.1', 'latin1'), {}, 400],
      ['GET /latest\\index.html HTTP/1.1', {}, 400],
      ['GET /latest/%C0%AE%C0%AE/status.json HTTP/1.1', {}, 400],
      ['GET /latest/%ZZ HTTP/1.1', {}, 400],
      [`GET /${'a/'.repeat(1500)} HTTP/1.1`, {}, 414],
      [`GET /latest/${'a'.repeat(300)} HTTP/1.1`, {}, 404],
      [`GET /latest/${'a'.repeat(20_000)} HTTP/1.1`, {}, 431],
      ['GET * HTTP/1.1', {}, 400],
      ['GET http://127.0.0.1/latest/ HTTP/1.1', {}, 400],
      ['GET latest/ HTTP/1.1', {}, 400],
      ['POST /latest/ HTTP/1.1', { 'content-length': '0' }, 405],
      ['DELETE /latest.json HTTP/1.1', {}, 405],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=10-5' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=9007199254740992-' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: `bytes=${'9'.repeat(400)}-` }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=abc' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=-' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=-0' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=1-2-3' }, 416],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=0--1' }, 416],
      // Ignored, as RFC 9110 §14.2 allows: the whole file.
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'bytes=0-1,5-6' }, 200],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'hello' }, 200],
      ['GET /latest/datapackage.json HTTP/1.1', { range: 'items=0-1' }, 200],
    ];
    for (const [line, headers, status] of cases) {
      const label = `${String(line).slice(0, 60)} ${JSON.stringify(headers)}`;
      const res = await rawRequest(site.url, line, headers);
      assert.equal(res.status, status, label);
      if (status === 416) assert.match(res.headers['content-range'], /^bytes \*\/\d+$/, label);
      if (status !== 200) assert.match(res.body.toString('latin1'), REFUSAL, label);
      else assert.deepEqual(res.body, await readFile(join(ws.out, 'latest', 'datapackage.json')), label);
      await assertStillServing(label);
    }
  });

  test('a range request answers exactly the bytes asked for, with the ETag of the whole file', async () => {
    const pkg = JSON.parse(await readFile(join(ws.out, 'latest', 'datapackage.json'), 'utf8')) as { resources: { format: string; x_files: { path: string }[] }[] };
    const part = pkg.resources.find((r) => r.format === 'parquet')!.x_files[0].path;
    const bytes = await readFile(join(ws.out, 'latest', part));
    const size = bytes.length;
    assert.ok(size > 200, `${part} is ${size} bytes`);
    const whole = await get(`/latest/${part}`);
    assert.equal(whole.status, 200);
    assert.deepEqual(whole.body, bytes);
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=-100', size - 100, size - 1],
      ['bytes=10-19', 10, 19],
      ['bytes=4-', 4, size - 1],
      [`bytes=${size - 1}-`, size - 1, size - 1],
      [`bytes=-${size * 2}`, 0, size - 1],
      ['bytes=0-9007199254740992', 0, size - 1],
      [`bytes=100-${'9'.repeat(30)}`, 100, size - 1],
      ['BYTES=1-2', 1, 2],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(`/latest/${part}`, { range });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
      assert.equal(res.headers['content-length'], String(end - start + 1), range);
      assert.deepEqual(res.body, bytes.subarray(start, end + 1), range);
      assert.equal(res.headers.etag, whole.headers.etag, range);
      assert.equal(res.headers['last-modified'], whole.headers['last-modified'], range);
    }
    // If-Range: the range only of the version the client holds (an exact date; a weak ETag never matches).
    assert.equal((await get(`/latest/${part}`, { range: 'bytes=0-0', 'if-range': whole.headers['last-modified'] })).status, 206);
    const changed = await get(`/latest/${part}`, { range: 'bytes=0-0', 'if-range': whole.headers.etag });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body, bytes);
    assert.equal((await get(`/latest/${part}`, { range: 'bytes=0-0', 'if-none-match': whole.headers.etag })).status, 304);
    const head = await rawRequest(site.url, `HEAD /latest/${part} HTTP/1.1`, { range: 'bytes=0-0' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(size));
    assert.equal(whole.headers['accept-ranges'], 'bytes', 'a 200 says ranges are served');
  });

  test('a folder without its slash is redirected to it, / leads to latest/, and a release published while serving appears', async () => {
    for (const [path, location] of [
      ['/', '/latest/'],
      ['/latest', '/latest/'],
      [`/releases/${release}`, `/releases/${release}/`],
      ['/site', '/site/'],
    ]) {
      const res = await get(path);
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.location, location, path);
    }
    for (const path of ['/raw', '/releases', '/releases/', '/site/', '/latest.json/', '/store.duckdb.tmp']) assert.equal((await get(path)).status, 404, path);
    const page = await get('/latest/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.deepEqual(page.body, await readFile(join(ws.out, 'latest', 'index.html')));
    assert.equal((await get('/latest/%64atapackage.json')).status, 200, 'a percent-encoded name of a published file');

    await rm(join(ws.out, 'run.lock')); // planted above in pid 1's name, which would hold the run
    await copyFile(join(SAMPLE_POSTS, '2022-01-06-202201062238656632.md'), join(ws.postsDir, 'plan.md'));
    const run = await runInProcess(ws.file, ws.cwd, { clock: clock.next() });
    assert.equal(run.code, 0, run.stderr);
    const newer = (await readlink(join(ws.out, 'latest'))).split('/').pop()!;
    assert.notEqual(newer, release);
    const latest = JSON.parse((await get('/latest/datapackage.json')).body.toString()) as { version: string };
    assert.equal(latest.version, newer);
    assert.equal((await get(`/releases/${release}/datapackage.json`)).status, 200, 'the earlier release is still served');
  });
});
