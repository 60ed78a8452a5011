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
/** Items of a principles section titled …原则 (统一规划、分步实施的原则) tell its principles from a lead-in item among them. */
const TITLED_PRINCIPLES_MIN = 2;

/** The short title of an item and the text after it; an item that is only a title naming a principle (…的原则。) counts. */
function shortTitle(text: string, max: number): { title: string; rest: string } | null {
  const { first, rest } = splitFirstSentence(text);
  const title = first.trim();
  if (title.length === 0 || title.length > max || COLON.test(title)) return null;
  if (rest === '' && !NAMES_PRINCIPLES.test(title)) return null;
  return { title, rest };
}

interface Candidate {
  node: Provision | undefined;
  title: string;
  text: string;
}

/** The principles of one section: where several are titled …原则, an item titled otherwise is no principle. */
function sectionPrinciples(items: Candidate[]): Candidate[] {
  const titled = items.filter((c) => NAMES_PRINCIPLES.test(c.title));
  return titled.length >= TITLED_PRINCIPLES_MIN ? titled : items;
}

export function extractPrinciples(paragraphs: string[], outline: OutlineResult): Principle[] {
  const { provisions, owner, heads, start, end } = outline;
  const found: Candidate[] = [];
  // While a heading that names principles lasts: the level its items sit below (0 before any numbered node), and its items.
  let section: { level: number; items: Candidate[] } | null = null;
  const close = (): void => {
    if (section) found.push(...sectionPrinciples(section.items));
    section = null;
  };
  for (let i = start; i < end; i++) {
    const para = paragraphs[i];
    const node = owner[i] >= 0 ? provisions[owner[i]] : undefined;
    const head = heads[i];
    if (head && node) {
      if (section && node.level <= section.level) close();
      // Inside a principles section an item titled 坚持…原则 is one of its principles, not a new section.
      if (!section && NAMES_PRINCIPLES.test(node.heading)) {
        section = { level: node.level, items: [] };
        continue;
      }
    } else if (!section && PRINCIPLES_LINE.test(para)) {
      // An unnumbered heading line opens the principles inside the node that holds it.
      section = { level: node?.level ?? 0, items: [] };
      continue;
    } else if (section && HEADING_LINE.test(para)) {
      close(); // the next unnumbered heading ends them
    }
    if (DASH_BULLET.test(para)) {
      const item = shortTitle(para.replace(DASH_BULLET, ''), section ? SECTION_TITLE_MAX : SHORT_TITLE_MAX);
      if (item) (section?.items ?? found).push({ node, ...item, text: item.rest });
      continue;
    }
    if (!section) continue;
    // The items right under the heading, numbered or not: an article (第X条) has no short title, and an item of an item
    // or a paragraph of an article is part of it, not a principle of the section.
    if (node && (head ? head.style === 'tiao' || node.level !== section.level + 1 : node.level !== section.level)) continue;
    const item = shortTitle(head?.rest ?? para, SECTION_TITLE_MAX);
    if (item) section.items.push({ node, ...item, text: item.rest });
  }
  close();
  return found.map((c, k) => ({ principle_no: k + 1, path: c.node?.path ?? null, title: c.title, text: c.text }));
}
