import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { noProgress } from '../../src/core/effects.ts';
import { validatePipeline } from '../../src/pipeline/config.ts';
import extractPost from '../../src/pipeline/extract-job.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { ROOT, SAMPLE_POSTS } from '../helpers/cli.ts';
import { capturingLogger } from '../helpers/server.ts';
import { rawPost } from '../parse/helpers.ts';
import { validate } from '../helpers/validate.ts';

const BAD = join(ROOT, 'tests', 'fixtures', 'bad');
const REAL = '2021-12-08-202112082206885265.md';
const WARNED = ['long-title', 'date-zero', 'date-not-a-day', 'title-list'];

test('a real post beside posts whose metadata is unreadable or runaway: all are published, each warning names its post, the release validates', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-bounds-'));
  await mkdir(join(cwd, 'posts'));
  await copyFile(join(SAMPLE_POSTS, REAL), join(cwd, 'posts', REAL));
  for (const name of WARNED) await copyFile(join(BAD, `${name}.md`), join(cwd, 'posts', `${name}.md`));
  const config = validatePipeline({ id: 'bounds', source: { type: 'dir', path: 'posts' } }, 'bounds');
  const pipeline = { file: 'bounds', config, cwd, outputDir: join(cwd, 'output') };
  const logger = capturingLogger();
  const result = await runPipeline(pipeline, { clock: { now: () => new Date('2026-01-01T00:00:00Z') }, logger, progress: noProgress, env: {} });
  assert.equal(result.status, 'ok', JSON.stringify(result.rejects));
  assert.equal(result.fetched, 5);

  const warnings = logger.lines.map((l) => JSON.parse(l) as Record<string, string>).filter((l) => l.level === 'warn' && l.stage === 'parse');
  assert.deepEqual(warnings.map((w) => w.source_id).sort(), [...WARNED].sort());
  for (const w of warnings) assert.ok(w.msg.startsWith(`${w.source_id}: `), `the message names the post: ${w.msg}`);
  assert.match(warnings.find((w) => w.source_id === 'long-title')!.msg, /^long-title: the title is 5,800 characters long: cut to its first 2,000$/);
  assert.match(warnings.find((w) => w.source_id === 'date-not-a-day')!.msg, /date: "2021-02-30 12:05:03" is not a date/);

  const release = join(pipeline.outputDir, 'latest');
  assert.deepEqual((await validate(release)).problems, []);
  const documents = parse(await readFile(join(pipeline.outputDir, 'downloads', 'documents.csv')), { bom: true, columns: true }) as Record<string, string>[];
  const bySource = new Map(documents.map((d) => [d.source_id, d]));
  assert.equal(Array.from(bySource.get('long-title')!.title).length, 2000);
  assert.equal(bySource.get('title-list')!.title, '');
  for (const id of ['date-zero', 'date-not-a-day']) assert.equal(bySource.get(id)!.published_at, '', id);
  assert.equal(bySource.get(REAL.replace('.md', ''))!.published_at, '2021-12-08T12:05:03+08:00');
});

test('a post that would publish a value over 100,000 characters is rejected by name, saying which column', () => {
  // A law whose article lost its line breaks: one provision of 130,000 characters.
  const text = `# 某某条例\n\n第一条 ${'为了规范管理，制定本条例。'.repeat(10_000)}\n`;
  const result = extractPost({ post: rawPost('runaway', text), docId: 'runaway' });
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.stage, 'extract');
  assert.match(result.message, /^its provisions\.text would hold 130,000 characters, over the 100,000 a published value may hold/);
  // The same law at a real length is kept.
  assert.equal(extractPost({ post: rawPost('law', `# 某某条例\n\n第一条 ${'为了规范管理，制定本条例。'.repeat(100)}\n`), docId: 'law' }).ok, true);
});
