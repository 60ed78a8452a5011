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

/** A front-matter value as written, shortened, for a warning. */
function shown(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** What kind of YAML value `value` is, in words. */
const kindOf = (value: unknown): string => (Array.isArray(value) ? 'a list' : value instanceof Date ? 'a date' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`);

/** The post's title: text (a number is kept as printed); any other value is left empty, with a warning. */
function readTitle(value: unknown, warnings: string[]): string {
  if (typeof value === 'string' || typeof value === 'number') return normalizeSpace(String(value));
  if (value !== undefined && value !== null) warnings.push(`front matter title: ${shown(value)} is ${kindOf(value)}, not text: the title is left empty`);
  return '';
}

/** The post's date, or null, with a warning when a value is there but is no date the calendar has. */
function readDate(value: unknown, warnings: string[]): string | null {
  const date = frontMatterDate(value);
  if (date === null && value !== undefined && value !== null) {
    // YAML reads `date: +0800` (finews's date-less posts) as the number 800: say so, or the value shown would puzzle.
    const read = typeof value === 'string' ? '' : ` (read as ${kindOf(value)})`;
    warnings.push(`front matter date: ${shown(value)}${read} is not a date (e.g. 2022-01-06 15:04:39 +0800): published_at is left empty`);
  }
  return date;
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
  const warnings: string[] = [];
  return {
    title: readTitle(data.title, warnings),
    publishedAt: readDate(data.date, warnings),
    categories: nameList(data.categories ?? data.category),
    tags: nameList(data.tags),
    meta,
    // A digest-only post (a one-line flash) has its digest as its body.
    paragraphs: paragraphs.length > 0 ? paragraphs : digest.filter(Boolean),
    link,
    warnings,
  };
}
