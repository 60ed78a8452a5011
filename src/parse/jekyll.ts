// Jekyll posts (finews): YAML front matter, a `> digest` line, HTML paragraphs, the `<url>` line, footer links.
import { parse as parseYaml } from 'yaml';
import { htmlToText } from './html.ts';
import { frontMatterDate } from './dates.ts';
import { normalizeSpace } from './text.ts';
import { ParseFailure, type PostBody } from './body.ts';

const FENCE = /^---[ \t]*$/;
const DIGEST_LINE = /^>\s?(.*)$/;
/** The post's own link line: `<http://…>`, `<//host/…>` or the empty `<>`. */
const LINK_LINE = /^<((?:[a-z][a-z0-9+.-]*:)?\/\/[^<>\s]*)?>$/i;
/** Footer navigation: nothing but markdown links, possibly joined with ｜ or |. */
const FOOTER_LINE = /^(?:\s*\[[^\]]*\]\([^)]*\)\s*[｜|]?)+\s*$/;
const MARKUP_LINE = /^\s*</;

/** Jekyll's list fields: a YAML list, or one string of space-separated names. */
function nameList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  if (typeof value === 'string' || typeof value === 'number') return String(value).split(/\s+/).filter(Boolean);
  return [];
}

function readFrontMatter(lines: string[]): { data: Record<string, unknown>; bodyStart: number } {
  let open = 0;
  while (open < lines.length && lines[open].trim() === '') open++;
  let close = open + 1;
  while (close < lines.length && !FENCE.test(lines[close])) close++;
  if (close >= lines.length) {
    throw new ParseFailure('the front matter opened with --- is never closed (no second --- line)');
  }
  let data: unknown;
  try {
    data = parseYaml(lines.slice(open + 1, close).join('\n'));
  } catch (cause) {
    const reason = (cause as Error).message.split('\n')[0];
    throw new ParseFailure(`the front matter is not valid YAML: ${reason}`, cause);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ParseFailure('the front matter is not a YAML mapping of keys (title, date, …)');
  }
  return { data: data as Record<string, unknown>, bodyStart: close + 1 };
}

export function parseJekyll(text: string): PostBody {
  const lines = text.split(/\r?\n/);
  const { data, bodyStart } = readFrontMatter(lines);
  const paragraphs: string[] = [];
  const digest: string[] = [];
  let link: string | null = null;
  let markup: string[] = [];
  const flushMarkup = (): void => {
    if (markup.length === 0) return;
    paragraphs.push(...htmlToText(markup.join('\n')).paragraphs);
    markup = [];
  };
  for (let i = bodyStart; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || FOOTER_LINE.test(line)) continue;
    const linkMatch = LINK_LINE.exec(line);
    if (linkMatch) {
      flushMarkup();
      link = linkMatch[1] || null;
      continue;
    }
    if (MARKUP_LINE.test(line)) {
      markup.push(line);
      continue;
    }
    flushMarkup();
    const digestMatch = DIGEST_LINE.exec(line);
    if (digestMatch) digest.push(normalizeSpace(digestMatch[1]));
    else paragraphs.push(normalizeSpace(line));
  }
  flushMarkup();
  const meta: Record<string, string> = {};
  if (typeof data.layout === 'string') meta.layout = data.layout;
  if (digest.length > 0) meta.digest = digest.join('\n');
  return {
    title: typeof data.title === 'string' || typeof data.title === 'number' ? normalizeSpace(String(data.title)) : '',
    publishedAt: frontMatterDate(data.date),
    categories: nameList(data.categories ?? data.category),
    tags: nameList(data.tags),
    meta,
    // A digest-only post (a one-line flash) has its digest as its body.
    paragraphs: paragraphs.length > 0 ? paragraphs : digest.filter(Boolean),
    link,
  };
}
