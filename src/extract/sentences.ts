// Sentences of a provision: split at 。！？； (and their ASCII forms), never inside “…”, 《…》 or （…）.
import { CLOSING_MARKS, OPENING_MARKS, SENTENCE_END_MARKS } from './punctuation.ts';

export interface Span {
  start: number;
  end: number;
}

const OPEN = 1;
const CLOSE = 2;
const END = 3;
/** Class of every UTF-16 code unit: one array read per character. */
const CLASS = new Uint8Array(0x10000);
for (const ch of OPENING_MARKS) CLASS[ch.charCodeAt(0)] = OPEN;
for (const ch of CLOSING_MARKS) CLASS[ch.charCodeAt(0)] = CLOSE;
for (const ch of SENTENCE_END_MARKS) CLASS[ch.charCodeAt(0)] = END;

const isSpace = (code: number): boolean => code === 0x20 || code === 0x3000 || code === 0xa0 || (code >= 0x09 && code <= 0x0d);

/** The sentences of `text` as spans, each with its final mark, without surrounding spaces; a quote left open runs to the end. */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = CLASS[text.charCodeAt(i)];
    if (c === 0) continue;
    if (c === OPEN) depth++;
    else if (c === CLOSE) depth = depth > 0 ? depth - 1 : 0;
    else if (depth === 0) {
      pushTrimmed(spans, text, from, i + 1);
      from = i + 1;
    }
  }
  pushTrimmed(spans, text, from, text.length);
  return spans;
}

function pushTrimmed(spans: Span[], text: string, start: number, end: number): void {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  // A lone mark (a stray 。) is no sentence.
  if (end - start > 1 || (end - start === 1 && CLASS[text.charCodeAt(start)] !== END)) spans.push({ start, end });
}
