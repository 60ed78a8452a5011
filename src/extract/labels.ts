// Recognises the numbering label at the start of a paragraph, in every style Chinese official texts use.
import { CLAUSE_MARKS, IN_SENTENCE, SENTENCE_END_MARKS } from './punctuation.ts';
import { chineseNumber, stripSpaces } from './text.ts';

/** Numbering styles, from the outermost kind to the innermost. */
export type LabelStyle =
  | 'bian'
  | 'fenbian'
  | 'bufen'
  | 'zhang'
  | 'jie'
  | 'tiao' // 第X编 / 分编 / 部分 / 章 / 节 / 条
  | `dec${number}` // decimal 1 / 1.1 / 1.1.1 (emergency plans)
  | 'cn' // 一、
  | 'paren-cn' // （一） (一)
  | 'arabic' // 1. 1． 1、
  | 'paren-arabic' // （1） (1)
  | 'circled' // ①
  | 'shi'; // 一是…

export interface Label {
  style: LabelStyle;
  /** As printed: `二、`, `（五）`, `(五)`, `1.`, `第三条`, `第一章`. */
  label: string;
  /** The printed number as a path component: `5`, `1`, `17-1` for 第十七条之一. */
  number: string;
  /** The paragraph after the label. */
  rest: string;
  /** Structural headings (编/章/节/部分) are never nested inside an item. */
  structural: boolean;
}

const CN = '[一二三四五六七八九十百千零〇○两]+';
const STRUCTURAL = new RegExp(`^第(${CN})(分编|编|部分|章|节)(?:\\s*)(.*)$`);
const ARTICLE = new RegExp(`^第(${CN})条(?:之(${CN}))?(?:\\s+(.*)|$)`);
const CN_ITEM = new RegExp(`^(${CN})、\\s*(.*)$`);
const PAREN_CN = new RegExp(`^([（(]\\s*(${CN})\\s*[）)])\\s*(.*)$`);
/** 1.1 编制目的 (a space, or a heading that starts right away with a Chinese character). */
const DECIMAL_DEEP = /^(\d{1,2}(?:[.．]\d{1,2})+)(?:\s+(\S.*)|([\u4e00-\u9fa5].*))$/;
const DECIMAL_DOT = /[.．]/;
const DECIMAL_TOP = new RegExp(`^(\\d{1,2})\\s+([^\\d\\s.．、%]${IN_SENTENCE}{0,29})$`);
const ARABIC = /^((\d{1,3})\s*[.．、])(?![\d.．])\s*(.*)$/;
const PAREN_ARABIC = /^([（(]\s*(\d{1,3})\s*[）)])\s*(.*)$/;
const CIRCLED = /^([①-⑳])\s*(.*)$/;
const SHI = new RegExp(`^((${CN})是)[${CLAUSE_MARKS}]?\\s*(.*)$`);
/** A structural heading is short and is not a sentence; longer text after 第X章 is prose. */
const HEADING_MAX = 40;
/** A heading may end with a stray 。 (监狱法 `第五节 生活、卫生。`); a 。, ， or ； inside makes it prose. */
const FINAL_STOP = /。$/;
const SENTENCE_MARK = new RegExp(`[${SENTENCE_END_MARKS}，,]`);

const STRUCTURAL_STYLE: Record<string, LabelStyle> = { 编: 'bian', 分编: 'fenbian', 部分: 'bufen', 章: 'zhang', 节: 'jie' };

function cnNumber(text: string): string | null {
  const n = chineseNumber(text);
  return Number.isNaN(n) ? null : String(n);
}

export function matchLabel(paragraph: string): Label | null {
  const first = paragraph.charCodeAt(0);
  // Cheap dispatch on the first character keeps one regex test per paragraph on the hot path.
  if (paragraph[0] === '第') {
    let m = ARTICLE.exec(paragraph);
    if (m) {
      const n = cnNumber(m[1]);
      const sub = m[2] === undefined ? null : cnNumber(m[2]);
      if (n === null || (m[2] !== undefined && sub === null)) return null;
      const label = m[2] === undefined ? `第${m[1]}条` : `第${m[1]}条之${m[2]}`;
      return { style: 'tiao', label, number: sub === null ? n : `${n}-${sub}`, rest: m[3] ?? '', structural: false };
    }
    m = STRUCTURAL.exec(paragraph);
    if (m && m[3].length <= HEADING_MAX && !SENTENCE_MARK.test(m[3].replace(FINAL_STOP, ''))) {
      const n = cnNumber(m[1]);
      if (n === null) return null;
      return { style: STRUCTURAL_STYLE[m[2]], label: `第${m[1]}${m[2]}`, number: n, rest: m[3], structural: true };
    }
    return null;
  }
  if (first === 0xff08 || first === 0x28) {
    // （ or (
    let m = PAREN_CN.exec(paragraph);
    if (m) {
      const n = cnNumber(m[2]);
      return n === null ? null : { style: 'paren-cn', label: stripSpaces(m[1]), number: n, rest: m[3], structural: false };
    }
    m = PAREN_ARABIC.exec(paragraph);
    if (m) return { style: 'paren-arabic', label: stripSpaces(m[1]), number: String(Number(m[2])), rest: m[3], structural: false };
    return null;
  }
  if (first >= 0x30 && first <= 0x39) {
    let m = DECIMAL_DEEP.exec(paragraph);
    if (m) {
      const parts = m[1].split(DECIMAL_DOT);
      return { style: `dec${parts.length}`, label: m[1], number: String(Number(parts[parts.length - 1])), rest: m[2] ?? m[3], structural: false };
    }
    m = ARABIC.exec(paragraph);
    if (m) return { style: 'arabic', label: stripSpaces(m[1]), number: String(Number(m[2])), rest: m[3], structural: false };
    m = DECIMAL_TOP.exec(paragraph);
    if (m) return { style: 'dec1', label: m[1], number: String(Number(m[1])), rest: m[2], structural: false };
    return null;
  }
  if (first >= 0x2460 && first <= 0x2473) {
    const m = CIRCLED.exec(paragraph)!;
    return { style: 'circled', label: m[1], number: String(first - 0x2460 + 1), rest: m[2], structural: false };
  }
  let m = CN_ITEM.exec(paragraph);
  if (m) {
    const n = cnNumber(m[1]);
    return n === null ? null : { style: 'cn', label: `${m[1]}、`, number: n, rest: m[2], structural: false };
  }
  m = SHI.exec(paragraph);
  if (m) {
    const n = cnNumber(m[2]);
    return n === null ? null : { style: 'shi', label: m[1], number: n, rest: m[3], structural: false };
  }
  return null;
}

/** Rank of the structural headings, outermost first, so a 第X节 closes open items of a 第X章. */
export const STRUCTURAL_RANK: Partial<Record<LabelStyle, number>> = { bian: 0, fenbian: 1, bufen: 2, zhang: 3, jie: 4 };
