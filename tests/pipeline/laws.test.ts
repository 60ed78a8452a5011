// LawRefBook laws of ../shared/corpus-laws (when present) through the real command as a dir source: a sample that
// takes every 20th text of each of its folders (all 13 kinds of text, from the constitution to judicial
// interpretations). tests/extract/laws.test.ts checks the extraction of all 1,506 texts in process.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.ts';
import { query } from '../helpers/duckdb.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
/** Counted from the raw text, independently of the parser: an article label at the start of a line after the history block. */
const ARTICLE_LINE = /^第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?[ \u3000]/;
const EVERY = 20;

/** Every EVERY-th law of each folder in path order, from the first: paths relative to LAWS. */
function sampleOfEveryFolder(): { folders: number; files: string[] } {
  const byFolder = new Map<string, string[]>();
  for (const e of readdirSync(LAWS, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.md') || e.name === 'README.md') continue;
    const rel = join(e.parentPath, e.name).slice(LAWS.length + 1);
    const folder = rel.split('/')[0];
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), rel]);
  }
  const files = [...byFolder.values()].flatMap((rels) => rels.sort().filter((_, i) => i % EVERY === 0));
  return { folders: byFolder.size, files: files.sort() };
}

function printedArticleCount(file: string): number {
  const text = readFileSync(join(LAWS, file), 'utf8');
  const body = text.slice(text.indexOf('<!-- INFO END -->') + 1);
  return body.split('\n').filter((l) => ARTICLE_LINE.test(l.trim())).length;
}

test(
  'zhengce run takes laws of every folder of corpus-laws as a dir source: each one a document, nothing rejected, every article found',
  { skip: existsSync(LAWS) ? false : `${LAWS} not found` },
  async () => {
    const { folders, files } = sampleOfEveryFolder();
    assert.equal(folders, 13, 'the 13 folders of corpus-laws');
    assert.ok(files.length >= 80, `${files.length} laws sampled`);
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-laws-'));
    for (const f of files) await cp(join(LAWS, f), join(cwd, 'laws', f));
    await writeFile(join(cwd, 'laws.yaml'), 'id: laws\nsource: {type: dir, path: laws}\n');
    const r = await runCli(['run', 'laws.yaml'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const latest = join(cwd, 'output', 'laws', 'latest');
    const articles = await query<{ source_id: string; articles: number }>(
      `SELECT d.source_id, count(p.label) FILTER (regexp_matches(p.label, '^第.+条(之.+)?$')) AS articles
     FROM '${latest}/documents/*.parquet' d LEFT JOIN '${latest}/provisions/*.parquet' p USING (doc_id) GROUP BY ALL`,
    );
    const expected = files.map((f) => ({ source_id: f.replace(/\.md$/, ''), articles: printedArticleCount(f) }));
    const found = articles.map((a) => ({ source_id: a.source_id, articles: Number(a.articles) })).sort((a, b) => (a.source_id < b.source_id ? -1 : 1));
    assert.deepEqual(found, expected, 'one document per law, holding its printed articles');
    assert.ok(expected.reduce((n, e) => n + e.articles, 0) > 3000, 'thousands of articles');
    assert.equal(await readFile(join(latest, 'rejects.csv'), 'utf8'), '\ufeffsource_id,url,stage,reason\r\n', 'no post rejected');
  },
);
