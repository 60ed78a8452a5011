import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { logLines, ROOT, runCli } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';
import { RunClock, runInProcess } from '../helpers/run.ts';
import { loadPipeline } from '../../src/pipeline/config.ts';
import { seededFaults, startTestServer, type TestServer } from '../helpers/server.ts';

const PLAN = '_posts/2022-01-06-202201062238656632.md';
const POSTS_IN_TREE = 11; // the .md posts of pipelines/sample/posts

/** A github pipeline pointed at the loopback server, with politeness off and short retry delays. */
async function githubWorkspace(server: TestServer, moreHttp = ''): Promise<{ cwd: string; file: string; out: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-github-'));
  const file = join(cwd, 'finews.yaml');
  await writeFile(
    file,
    `id: finews
source:
  type: github
  repo: ${server.owner}/${server.repo}
  branch: ${server.branch}
  path: _posts
  api: ${server.origin}
  raw: ${server.origin}
  http: {rate_limit: 1000, concurrency: 8, retries: 4, min_retry_delay_ms: 5, max_retry_delay_ms: 2000, headers_timeout_ms: 2000, body_timeout_ms: 2000${moreHttp}}
`,
  );
  return { cwd, file, out: join(cwd, 'output', 'finews') };
}

async function releaseIds(out: string): Promise<string[]> {
  return (await readdir(join(out, 'releases'))).filter((n) => !n.startsWith('.')).sort();
}

/**
 * Runs in process (tests/helpers/run.ts), each on a clock a second ahead of the one before: a new release gets its own
 * id (a UTC second) with no wait. The real command runs where its own part is the subject: a token from its environment
 * never printed, --offline, and the failure it words on stderr.
 */
const clock = new RunClock();
const run = (ws: { file: string; cwd: string }) => runInProcess(ws.file, ws.cwd, { clock: clock.next() });

describe('zhengce run over a GitHub repository of Jekyll posts (loopback server)', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  test('full fetch, no-change run, one edited post, one removed post', async () => {
    server.reset();
    const ws = await githubWorkspace(server);
    const first = await runCli(['run', ws.file], ws.cwd, { GITHUB_TOKEN: 'ghp_secret_test_token' });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.equal(server.requestsTo().length, POSTS_IN_TREE);
    assert.ok(
      server.requests.every((r) => r.headers.authorization === 'Bearer ghp_secret_test_token'),
      'the token is sent',
    );
    assert.ok(!first.stdout.includes('ghp_secret') && !first.stderr.includes('ghp_secret'), 'the token is never printed');
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/latest/documents/*.parquet'`);
    assert.equal(Number(n), POSTS_IN_TREE);

    server.requests.length = 0;
    const same = await run(ws);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [server.treesPath],
      'exactly one request',
    );
    assert.equal((await releaseIds(ws.out)).length, 1, 'no new release');

    server.requests.length = 0;
    const plan = server.files.get(PLAN)!;
    server.files.set(PLAN, { ...plan, bytes: await readFile(join(ROOT, 'tests', 'fixtures', 'versions', '2022-01-06-202201062238656632.v1.md')) });
    const edited = await run(ws);
    assert.equal(edited.code, 0, edited.stderr);
    assert.deepEqual(
      server.requestsTo().map((r) => r.path),
      [server.rawPath(PLAN)],
      'exactly one download',
    );
    const [change] = await query<{ changed_columns: string[] }>(`SELECT changed_columns FROM '${ws.out}/latest/changes/*.parquet'`);
    assert.deepEqual([...change.changed_columns].sort(), ['category', 'tags']);

    server.files.delete('_posts/2021-12-08-202112082206885265.md');
    const removed = await run(ws);
    assert.equal(removed.code, 0, removed.stderr);
    const deletes = await query<{ row_key: string }>(`SELECT row_key FROM '${ws.out}/latest/changes/*.parquet' WHERE table_name = 'documents' AND change_type = 'delete'`);
    assert.equal(deletes.length, 1);
    const [{ status }] = await query<{ status: string }>(`SELECT status FROM '${ws.out}/latest/document_versions/*.parquet' WHERE doc_id = '${deletes[0].row_key}' ORDER BY version DESC LIMIT 1`);
    assert.equal(status, 'removed');
  });

  test('30 % 503s and 10 % truncated bodies still give every post', async () => {
    server.reset();
    server.faults = seededFaults('e2e', { unavailable: 0.3, truncated: 0.1 });
    const ws = await githubWorkspace(server);
    const r = await run(ws);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/latest/documents/*.parquet'`);
    assert.equal(Number(n), POSTS_IN_TREE);
    assert.ok(server.requests.length > POSTS_IN_TREE + 1, 'faults were retried');
  });

  test('a byte budget of two downloads still publishes every post: the run frees each post once extracted', { timeout: 60_000 }, async () => {
    server.reset();
    // Answers wait 60 ms so downloads overlap; the posts (82 kB) do not fit the budget (60 kB) at once.
    server.faults = ({ path }) => (path.startsWith(server.rawPath('')) ? { kind: 'delay', ms: 60 } : null);
    const ws = await githubWorkspace(server, ', max_response_bytes: 30000, max_bytes_in_flight: 60000');
    const r = await run(ws);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM '${ws.out}/latest/documents/*.parquet'`);
    assert.equal(Number(n), POSTS_IN_TREE);
    assert.ok(server.peakOpenBytes <= 60_000, `${server.peakOpenBytes} bytes of answers were open at once`);
  });

  test('a post that keeps failing keeps its previous version, is named in rejects.csv, and the run exits 2', async () => {
    server.reset();
    const ws = await githubWorkspace(server);
    assert.equal((await run(ws)).code, 0);
    const plan = server.files.get(PLAN)!;
    server.files.set(PLAN, { ...plan, bytes: Buffer.concat([plan.bytes, Buffer.from('\n')]) });
    server.faults = ({ path }) => (path === server.rawPath(PLAN) ? { kind: 'status', status: 500 } : null);
    const r = await run(ws);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    const docs = await query<{ title: string }>(`SELECT title FROM '${ws.out}/latest/documents/*.parquet' WHERE source_id = '2022-01-06-202201062238656632'`);
    assert.equal(docs.length, 1, 'never recorded as deleted');
    const warned = logLines(r.stdout).find((l) => l.source_id === '2022-01-06-202201062238656632' && l.level === 40);
    assert.ok(warned, 'the failure is logged by name');
    assert.match(String(warned.msg), /500/);
  });

  test('an upstream that is down fails the run with exit 1 and leaves the previous release untouched', async () => {
    server.reset();
    const ws = await githubWorkspace(server);
    assert.equal((await run(ws)).code, 0);
    const [before] = await releaseIds(ws.out);
    const pkg = await readFile(join(ws.out, 'latest', 'datapackage.json'));
    server.faults = () => ({ kind: 'status', status: 503 });
    server.files.delete(PLAN); // would be a removal, if the listing could be trusted
    const r = await runCli(['run', ws.file], ws.cwd);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${server.origin.replace(/[.]/g, '\\.')}.*503|503.*${server.origin.replace(/[.]/g, '\\.')}`, 's'));
    assert.deepEqual(await releaseIds(ws.out), [before]);
    assert.ok(pkg.equals(await readFile(join(ws.out, 'latest', 'datapackage.json'))));
  });

  test('run --offline rebuilds the release from raw snapshots with the server gone', async () => {
    server.reset();
    const ws = await githubWorkspace(server);
    assert.equal((await run(ws)).code, 0);
    const online = parse(await readFile(join(ws.out, 'downloads', 'documents.csv')), { bom: true, columns: true }) as Record<string, string>[];
    const offline = await githubWorkspace(server);
    const { cp } = await import('node:fs/promises');
    await cp(join(ws.out, 'raw'), join(offline.out, 'raw'), { recursive: true });
    server.faults = () => ({ kind: 'reset' });
    const r = await runCli(['run', '--offline', offline.file], offline.cwd);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rebuilt = parse(await readFile(join(offline.out, 'downloads', 'documents.csv')), { bom: true, columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rebuilt.map((d) => [d.doc_id, d.content_sha256]),
      online.map((d) => [d.doc_id, d.content_sha256]),
    );
  });
});

describe('zhengce run over finews as it behaves: posts move from _posts/ to old_post/, categories flip', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  /** A pipeline over both folders, as pipelines/finews-gov.yaml is. */
  async function finewsWorkspace(more = ''): Promise<{ cwd: string; file: string; out: string }> {
    const ws = await githubWorkspace(server);
    const yaml = (await readFile(ws.file, 'utf8')).replace('  path: _posts\n', '  path: [_posts, old_post]\n') + more;
    await writeFile(ws.file, yaml);
    return ws;
  }

  test("moving every post to old_post/ publishes a release of no content version and no removal, rewriting only the moved documents' rows, and the CHANGELOG says in one line what moved where", async () => {
    server.reset();
    const ws = await finewsWorkspace();
    const first = await run(ws);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const versionsBefore = await query<{ n: number }>(`SELECT count(*)::INT AS n FROM '${ws.out}/latest/document_versions/*.parquet'`);
    for (const [path, file] of [...server.files].filter(([p]) => p.startsWith('_posts/'))) {
      server.files.delete(path);
      server.files.set(path.replace('_posts/', 'old_post/'), file);
    }
    server.requests.length = 0;
    const moved = await run(ws);
    assert.equal(moved.code, 0, moved.stderr + moved.stdout);
    assert.equal(server.requestsTo().length, 0, 'no post downloaded');
    const docs = await query<{ source_path: string; version: number }>(`SELECT source_path, version FROM '${ws.out}/latest/documents/*.parquet' WHERE source LIKE 'github:%'`);
    assert.equal(docs.length, POSTS_IN_TREE);
    assert.ok(
      docs.every((d) => d.source_path.startsWith('old_post/') && Number(d.version) === 1),
      JSON.stringify(docs.slice(0, 2)),
    );
    assert.deepEqual(await query<{ n: number }>(`SELECT count(*)::INT AS n FROM '${ws.out}/latest/document_versions/*.parquet'`), versionsBefore, 'no new content version, no removal');
    const [release] = await query<{ documents_added: number; documents_changed: number; documents_removed: number }>(
      `SELECT * FROM '${ws.out}/latest/releases/*.parquet' ORDER BY release_id DESC LIMIT 1`,
    );
    assert.deepEqual([release.documents_added, release.documents_changed, release.documents_removed].map(Number), [0, 0, 0]);
    const changelog = await readFile(join(ws.out, 'latest', 'CHANGELOG.md'), 'utf8');
    assert.doesNotMatch(changelog, /^- \*\*/m, 'CHANGELOG.md lists no document');
    assert.match(changelog, /\| 0 \| 0 \| 0 \|/);
    assert.match(changelog, new RegExp(`^${POSTS_IN_TREE} documents moved in the source 来源中移动 from \`_posts/\` to \`old_post/\``, 'm'));
    // Only the documents table changed (source_path, url): every other table's parts are the parent's files.
    const [r1, r2] = (await readdir(join(ws.out, 'releases'))).filter((n) => !n.startsWith('.')).sort();
    for (const table of ['provisions', 'principles', 'milestones', 'measures', 'mentions', 'document_versions']) {
      for (const part of await readdir(join(ws.out, 'releases', r2, table))) {
        const [a, b] = await Promise.all([r1, r2].map((r) => stat(join(ws.out, 'releases', r, table, part))));
        assert.equal(a.ino, b.ino, `${table}/${part} is linked`);
      }
    }
  });

  test('a post whose category flips out of filter.categories is a removal whose reason says so, not a deletion upstream', async () => {
    server.reset();
    const ws = await finewsWorkspace('filter:\n  categories: [zhongguozhengfuwang]\n');
    const first = await run(ws);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const kept = await query<{ source_id: string }>(`SELECT source_id FROM '${ws.out}/latest/documents/*.parquet'`);
    assert.deepEqual(
      kept.map((d) => d.source_id),
      ['2022-01-06-202201062238656632'],
    );
    // finews really republished the 要素市场化 post under emnews, then under zhongguozhengfuwang again.
    const plan = server.files.get(PLAN)!;
    server.files.set(PLAN, { ...plan, bytes: Buffer.from(plan.bytes.toString('utf8').replace('categories: zhongguozhengfuwang', 'categories: emnews')) });
    const flipped = await run(ws);
    assert.equal(flipped.code, 0, flipped.stderr + flipped.stdout);
    const changelog = await readFile(join(ws.out, 'latest', 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /## 删除文件 Removed documents \(1\)/);
    // Markdown-escaped parentheses: it renders as "its categories (emnews) are not in filter.categories (zhongguozhengfuwang)".
    assert.match(changelog, /原因 reason: no longer passes the pipeline's filter: its categories \\\(emnews\\\) are not in filter\.categories \\\(zhongguozhengfuwang\\\)/);
    assert.equal(await query<{ n: number }>(`SELECT count(*)::INT AS n FROM '${ws.out}/latest/documents/*.parquet'`).then((r) => Number(r[0].n)), 0);
  });
});

test('pipelines/finews-gov.yaml reads zning1994/finews on main, both post folders, 中国政府网新闻 only, every 30 minutes', async () => {
  const { config } = await loadPipeline('finews-gov', ROOT);
  assert.deepEqual(
    {
      schedule: config.schedule,
      source: config.source.type === 'github' && { repo: config.source.repo, branch: config.source.branch, path: config.source.path },
      categories: config.filter.categories,
    },
    { schedule: '*/30 * * * *', source: { repo: 'zning1994/finews', branch: 'main', path: ['_posts', 'old_post'] }, categories: ['zhongguozhengfuwang'] },
  );
});
