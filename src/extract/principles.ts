// Principles: —— bullets, and the short-titled items under a heading that names principles (基本原则 …).
import type { Principle, Provision } from '../core/types.ts';
import type { OutlineResult } from './outline.ts';
import { SENTENCE_END_MARKS } from './punctuation.ts';
import { splitFirstSentence } from './text.ts';

const DASH_BULLET = /^[—－-]{2}\s*/;
const NAMES_PRINCIPLES = /原则$/;
/** A heading printed as a line of its own, without a number: `基本原则`, `（工作原则）`, `主要原则：`. */
const PRINCIPLES_LINE = /^[（(【]?[\u4e00-\u9fa5]{0,10}原则[）)】]?[：:。]?$/;
/** A short title is a phrase, not a sentence (坚持公益性导向，提高医疗服务效率 is 16 characters). */
const SHORT_TITLE_MAX = 24;
/** Under a heading that names principles an item's title may be longer: the heading says what it is. */
const SECTION_TITLE_MAX = 40;
const COLON = /[：:]/;
/** An unnumbered heading line: short, no sentence mark. */
const HEADING_LINE = new RegExp(`^[^${SENTENCE_END_MARKS}，,—]{2,20}$`);

function shortTitle(text: string, max: number): { title: string; rest: string } | null {
  const { first, rest } = splitFirstSentence(text);
  if (first.length === 0 || first.length > max || rest === '' || COLON.test(first)) return null;
  return { title: first.trim(), rest };
}

export function extractPrinciples(paragraphs: string[], outline: OutlineResult): Principle[] {
  const { provisions, owner, heads, start, end } = outline;
  const principles: Principle[] = [];
  const add = (node: Provision | undefined, title: string, text: string): void => {
    principles.push({ principle_no: principles.length + 1, path: node?.path ?? null, title, text });
  };
  // While a heading that names principles lasts: the level its items sit below (0 before any numbered node).
  let sectionLevel: number | null = null;
  for (let i = start; i < end; i++) {
    const para = paragraphs[i];
    const node = owner[i] >= 0 ? provisions[owner[i]] : undefined;
    if (heads[i] && node) {
      if (sectionLevel !== null && node.level <= sectionLevel) sectionLevel = null;
      // Inside a principles section an item titled 坚持…原则 is one of its principles, not a new section.
      if (sectionLevel === null && NAMES_PRINCIPLES.test(node.heading)) {
        sectionLevel = node.level;
        continue;
      }
    } else if (sectionLevel === null && PRINCIPLES_LINE.test(para)) {
      // An unnumbered heading line opens the principles inside the node that holds it.
      sectionLevel = node?.level ?? 0;
      continue;
    } else if (sectionLevel !== null && HEADING_LINE.test(para)) {
      sectionLevel = null; // the next unnumbered heading ends them
    }
    if (DASH_BULLET.test(para)) {
      const item = shortTitle(para.replace(DASH_BULLET, ''), sectionLevel === null ? SHORT_TITLE_MAX : SECTION_TITLE_MAX);
      if (item) add(node, item.title, item.rest);
      continue;
    }
    if (sectionLevel === null) continue;
    const item = shortTitle(heads[i]?.rest ?? para, SECTION_TITLE_MAX);
    if (item) add(node, item.title, item.rest);
  }
  return principles;
}
