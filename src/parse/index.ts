// parse stage: RawPost bytes → ParsedPost (format sniffed from content; metadata, clean paragraphs).
import { isUtf8 } from 'node:buffer';
import { CharsetError, decodeBody, detectCharset, sniffBom } from '../core/charset.ts';
import { PostError } from '../core/errors.ts';
import type { ParsedPost, PostFormat, RawPost } from '../core/types.ts';
import { ParseFailure, type PostBody } from './body.ts';
import { parseGovcn } from './govcn.ts';
import { parseJekyll } from './jekyll.ts';
import { parseMarkdown } from './markdown.ts';
import { MARKUP_START, sniffFormat } from './sniff.ts';

/** Control characters that never occur in text (everything below U+0020 except tab, LF, FF, CR). */
const BINARY_CHAR = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;
const BINARY_SAMPLE = 8192;
const NOT_SPACE = /\S/;

function decode(raw: RawPost): string {
  // NUL bytes mark a binary file whatever its declared charset, but for UTF-16, which has one in every ASCII character and announces itself with a BOM.
  if (!sniffBom(raw.bytes)?.startsWith('utf-16') && raw.bytes.subarray(0, BINARY_SAMPLE).includes(0)) {
    throw new PostError('parse', raw.sourceId, 'the file is binary (it contains NUL bytes), not a text post');
  }
  try {
    return decodeBody(raw.bytes, raw.contentType).text;
  } catch (cause) {
    if (!(cause instanceof CharsetError)) throw cause;
    throw new PostError('decode', raw.sourceId, `the file cannot be decoded as text: ${cause.message}`, { cause });
  }
}

/**
 * A gov.cn page in valid UTF-8 read one character per byte: its markup (most of the page) is ASCII,
 * so decoding only its text spares converting the whole page. Null for any other post.
 */
function utf8Page(raw: RawPost): string | null {
  const buf = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
  const start = sniffBom(buf) === 'utf-8' ? 3 : 0;
  if (!MARKUP_START.test(buf.toString('latin1', start, start + 64))) return null;
  if (detectCharset(buf, raw.contentType) !== 'utf-8' || buf.includes(0) || !isUtf8(buf)) return null;
  const page = buf.toString('latin1', start);
  return BINARY_CHAR.test(page.slice(0, BINARY_SAMPLE)) ? null : page;
}

export function parsePost(raw: RawPost): ParsedPost {
  const page = utf8Page(raw);
  if (page !== null) return withFormat(raw, 'govcn', () => parseGovcn(page, true));
  const text = decode(raw);
  if (!NOT_SPACE.test(text)) {
    throw new PostError('parse', raw.sourceId, raw.bytes.length === 0 ? 'the file is empty (0 bytes)' : 'the file holds only whitespace');
  }
  const control = BINARY_CHAR.exec(text.slice(0, BINARY_SAMPLE));
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new PostError('parse', raw.sourceId, `the file looks binary: it contains the control character U+${code}`);
  }
  const format = sniffFormat(text);
  return withFormat(raw, format, () => (format === 'jekyll' ? parseJekyll(text) : format === 'govcn' ? parseGovcn(text) : parseMarkdown(text)));
}

/**
 * Characters a title or another metadata value (category, tag, a gov.cn table cell) may hold: the longest
 * real one is under 900. Past it a value is cut, with a warning: one runaway field must not make a CSV
 * line no reader takes, nor cost the post its text.
 */
const MAX_FIELD_CHARS = 2000;

/** `value` cut to MAX_FIELD_CHARS characters (whole code points), with a warning naming `field` when it was longer. */
function bounded(value: string, field: string, warnings: string[]): string {
  if (value.length <= MAX_FIELD_CHARS) return value;
  const chars = Array.from(value);
  if (chars.length <= MAX_FIELD_CHARS) return value;
  warnings.push(`${field} is ${chars.length.toLocaleString('en')} characters long: cut to its first ${MAX_FIELD_CHARS.toLocaleString('en')}`);
  return chars.slice(0, MAX_FIELD_CHARS).join('');
}

/** The body with every metadata value within MAX_FIELD_CHARS. */
function boundFields(body: PostBody): PostBody {
  const warnings = [...body.warnings];
  const meta = Object.fromEntries(Object.entries(body.meta).map(([k, v]) => [k, bounded(v, `metadata ${k}`, warnings)]));
  return {
    ...body,
    title: bounded(body.title, 'the title', warnings),
    categories: body.categories.map((c) => bounded(c, 'a category', warnings)),
    tags: body.tags.map((t) => bounded(t, 'a tag', warnings)),
    meta,
    warnings,
  };
}

/** Runs a format parser, naming the post in any failure. */
function withFormat(raw: RawPost, format: PostFormat, parse: () => PostBody): ParsedPost {
  try {
    const body = boundFields(parse());
    if (body.paragraphs.length === 0) throw new ParseFailure('the post body has no text paragraphs');
    return { source: raw.source, sourceId: raw.sourceId, url: raw.url, format, ...body };
  } catch (cause) {
    if (!(cause instanceof ParseFailure)) throw cause;
    throw new PostError('parse', raw.sourceId, `${format} post: ${cause.message}`, { cause });
  }
}
