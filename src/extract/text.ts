// Small text helpers shared by the extractors: Chinese numerals, whitespace, first sentences.
import { SENTENCE_END } from './punctuation.ts';

const DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  '○': 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, 二〇一九 (digit by digit) → 2019; NaN when not a numeral. */
export function chineseNumber(text: string): number {
  if (text === '') return Number.NaN;
  if (!/[十百千]/.test(text)) {
    let n = 0;
    for (const ch of text) {
      const d = DIGIT[ch];
      if (d === undefined) return Number.NaN;
      n = n * 10 + d;
    }
    return n;
  }
  let total = 0;
  let digit = 0;
  for (const ch of text) {
    const d = DIGIT[ch];
    if (d !== undefined) {
      digit = d;
      continue;
    }
    const unit = UNIT[ch];
    if (unit === undefined) return Number.NaN;
    total += (digit === 0 ? 1 : digit) * unit; // 十二: an implied 一 before 十
    digit = 0;
  }
  return total + digit;
}

/** A cited title 《…》: its years and names belong to another document. */
export const BOOK_TITLE = /《[^《》]*》/g;

const ANY_SPACE = /\s+/g;

/** Headings are compared without any whitespace: `总  则` → `总则`. */
export function stripSpaces(text: string): string {
  return text.replace(ANY_SPACE, '');
}

/** A space between two Chinese characters or marks is layout (a U+3000 pad, a wrapped line), never content. */
const CJK_GAP = /(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[^\S\n]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])/g;

const HORIZONTAL_SPACE = /[^\S\n]/;

/** Body text as it reads: without the spaces that only lay Chinese text out. */
export function closeCjkGaps(text: string): string {
  // Most Chinese text has no space at all: one cheap test spares the lookaround scan.
  return HORIZONTAL_SPACE.test(text) ? text.replace(CJK_GAP, '') : text;
}

/** The text up to the first sentence end (。 or ；, as the gold rules say; ！？ too), and what follows it. */
export function splitFirstSentence(text: string): { first: string; rest: string } {
  const m = SENTENCE_END.exec(text);
  if (!m) return { first: text, rest: '' };
  return { first: text.slice(0, m.index), rest: text.slice(m.index + 1).trim() };
}
