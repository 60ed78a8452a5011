// The 1,506 LawRefBook laws in ../shared/corpus-laws (when present) through the real command as a dir source.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
/** Counted from the raw text, independently of the parser: an article label at the start of a line after the history block. */
const ARTICLE_LINE = /^第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?[ \u3000]/;

function printedArticleCount(): { files: number; articles: number } {
  const files = readdirSync(LAWS, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md');
  let articles = 0;
  for (const f of files) {
    const text = readFileSync(join(f.parentPath, f.name), 'utf8');
    const body = text.slice(text.indexOf('<!-- INFO END -->') + 1);
    articles += body.split('\n').filter((l) => ARTICLE_LINE.test(l.trim())).length;
  }
  return { files: files.length, articles };
}

test('zhengce run takes every law of corpus-laws as a dir source: nothing rejected, every article found', { skip: existsSync(LAWS) ? false : `${LAWS} not found` }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-laws-'));
  await writeFile(join(cwd, 'laws.yaml'), `id: laws\nsource: {type: dir, path: ${JSON.stringify(LAWS)}}\n`);
  const r = await runCli(['run', 'laws.yaml'], cwd);
  assert.equal(r.code, 0, r.stderr);
  const latest = join(cwd, 'output', 'laws', 'latest');
  const expected = printedArticleCount();
  const [{ docs, articles }] = await query<{ docs: number; articles: number }>(
    `SELECT (SELECT count(*) FROM '${latest}/documents/*.parquet') AS docs,
            (SELECT count(*) FROM '${latest}/provisions/*.parquet' WHERE regexp_matches(label, '^第.+条(之.+)?$')) AS articles`,
  );
  assert.equal(Number(docs), expected.files);
  assert.equal(Number(articles), expected.articles);
  assert.equal(await readFile(join(latest, 'rejects.csv'), 'utf8'), '\ufeffsource_id,url,stage,reason\r\n', 'no post rejected');
});
