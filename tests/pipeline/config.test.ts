import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../src/core/errors.ts';
import { loadPipeline } from '../../src/pipeline/config.ts';
import { ROOT } from '../helpers/cli.ts';

async function load(yaml: string): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
  const file = join(dir, 'p.yaml');
  await writeFile(file, yaml);
  return loadPipeline(file, dir);
}

async function rejects(yaml: string, ...expected: RegExp[]): Promise<void> {
  await assert.rejects(load(yaml), (err: Error) => {
    assert.ok(err instanceof CliError);
    assert.match(err.message, /p\.yaml/, 'the error names the file');
    for (const e of expected) assert.match(err.message, e);
    return true;
  });
}

test('the bundled sample pipeline loads by id', async () => {
  const p = await loadPipeline('sample', ROOT);
  assert.equal(p.config.id, 'sample');
  assert.equal(p.config.source.type, 'dir');
  assert.equal(p.outputDir, join(ROOT, 'output', 'sample'));
});

test('the DESIGN.md example pipeline is valid (its api/raw lines are the defaults; nothing is fetched here)', async () => {
  const p = (await load(`id: finews-gov
title: 中国政府网新闻 reform plans
schedule: "*/30 * * * *"
timezone: Asia/Shanghai
source:
  type: github
  repo: zning1994/finews
  branch: main
  path: _posts
filter:
  categories: [zhongguozhengfuwang]
publish:
  dir: output/finews-gov
  formats: [csv, parquet]
`)) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.equal(p.config.source.type, 'github');
  assert.deepEqual(p.config.filter.categories, ['zhongguozhengfuwang']);
});

test('an unknown key is named with where it is', () => rejects('id: a\nsource: {type: dir, path: x, colour: red}\n', /unknown key "colour" at source/));

test('a wrong type names the key and what is allowed', () => rejects('id: a\nsource: {type: dir, path: x}\npublish: {formats: [csv, xlsx]}\n', /publish\.formats\.1/, /csv|parquet|arrow/));

test('a bad cron string is refused with an example of a good one', () => rejects('id: a\nschedule: every day\nsource: {type: dir, path: x}\n', /schedule: not a valid cron expression/));

test('an id that is not kebab-case is refused', () => rejects('id: Finews_Gov\nsource: {type: dir, path: x}\n', /id: kebab-case/));

test('invalid YAML is a clear error', () => rejects('id: [a\n', /not valid YAML/));

test('a missing pipeline id says where it looked', async () => {
  await assert.rejects(loadPipeline('nope', ROOT), /no pipelines\/nope\.yaml/);
});

test('http has a total deadline per request and a byte budget by default, both overridable', async () => {
  const p = (await load('id: a\nsource: {type: feed, url: "https://example.org/feed.xml"}\n')) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.equal(p.config.source.type, 'feed');
  if (p.config.source.type !== 'feed') return;
  assert.equal(p.config.source.http.response_timeout_ms, 120_000);
  assert.equal(p.config.source.http.max_bytes_in_flight, 256 * 1024 * 1024);
  const q = (await load('id: a\nsource: {type: feed, url: "https://example.org/feed.xml", http: {response_timeout_ms: 5000, max_bytes_in_flight: 50000000}}\n')) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.deepEqual(q.config.source.type === 'feed' && [q.config.source.http.response_timeout_ms, q.config.source.http.max_bytes_in_flight], [5000, 50_000_000]);
});

test('a response deadline that is not a positive integer is refused by key', () => rejects('id: a\nsource: {type: feed, url: "https://example.org/feed.xml", http: {response_timeout_ms: 0}}\n', /source\.http\.response_timeout_ms/));

test('a byte budget smaller than one response is refused, saying why', () =>
  rejects('id: a\nsource: {type: github, repo: a/b, http: {max_response_bytes: 1000000, max_bytes_in_flight: 999999}}\n', /source\.http\.max_bytes_in_flight: must be at least http\.max_response_bytes/));
