// The 1,506 LawRefBook laws in ../shared/corpus-laws (read when present): every file parses, and its
// articles are exactly the paragraphs that start with 第X条 (or 第X条之X) after the history block.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractDocument } from '../../src/extract/index.ts';
import { parsePost } from '../../src/parse/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { rawPost } from '../parse/helpers.ts';

const LAWS = join(ROOT, '..', 'shared', 'corpus-laws');
const INFO_END = '<!-- INFO END -->';
/** Read from the raw text, independently of the parser: an article label at the start of a line, then a space. */
const ARTICLE_LINE = /^(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)[ \u3000]/;
const ARTICLE_LABEL = /^第.+条(?:之.+)?$/;

function lawFiles(): string[] {
  return readdirSync(LAWS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function printedArticles(text: string): string[] {
  const at = text.indexOf(INFO_END);
  const body = at >= 0 ? text.slice(at + INFO_END.length) : text;
  return body.split('\n').flatMap((line) => ARTICLE_LINE.exec(line.trim())?.[1] ?? []);
}

test('corpus-laws: every law parses and its provisions hold exactly its printed articles', { skip: existsSync(LAWS) ? false : `${LAWS} not found: the corpus-laws test needs ../shared/corpus-laws next to the repository` }, () => {
  const files = lawFiles();
  assert.ok(files.length >= 1500, `${files.length} law files`);
  const failures: string[] = [];
  let articles = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    const doc = extractDocument(parsePost(rawPost(file.slice(LAWS.length + 1), bytes)));
    const got = doc.provisions.filter((p) => ARTICLE_LABEL.test(p.label)).map((p) => p.label);
    const expected = printedArticles(bytes.toString('utf8'));
    articles += got.length;
    if (got.join() !== expected.join()) failures.push(`${file}: ${got.length} articles extracted, ${expected.length} printed`);
  }
  assert.deepEqual(failures, []);
  assert.ok(articles > 60000, `${articles} articles`);
});
