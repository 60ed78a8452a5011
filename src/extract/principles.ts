// Principles: —— bullets, and the short-titled items under a heading that names principles (基本原则 …).
import type { Principle, Provision } from '../core/types.ts';
import type { OutlineResult } from './outline.ts';
import { splitFirstSentence } from './text.ts';

const DASH_BULLET = /^[—－-]{2}\s*/;
const NAMES_PRINCIPLES = /原则$/;
/** A short title is a phrase, not a sentence (坚持公益性导向，提高医疗服务效率 is 16 characters). */
const SHORT_TITLE_MAX = 24;

function shortTitle(text: string): { title: string; rest: string } | null {
  const { first, rest } = splitFirstSentence(text);
  if (first.length === 0 || first.length > SHORT_TITLE_MAX || rest === '' || /[：:]/.test(first)) return null;
  return { title: first.trim(), rest };
}

export function extractPrinciples(paragraphs: string[], outline: OutlineResult): Principle[] {
  const { provisions, owner, heads, start, end } = outline;
  const principles: Principle[] = [];
  const add = (node: Provision | undefined, title: string, text: string): void => {
    principles.push({ principle_no: principles.length + 1, path: node?.path ?? null, title, text });
  };
  // The node whose heading names principles, while its subtree lasts.
  let section: Provision | null = null;
  for (let i = start; i < end; i++) {
    const para = paragraphs[i];
    const node = owner[i] >= 0 ? provisions[owner[i]] : undefined;
    if (heads[i] && node) {
      if (section && node.level <= section.level) section = null;
      if (NAMES_PRINCIPLES.test(node.heading)) {
        section = node;
        continue;
      }
    }
    if (DASH_BULLET.test(para)) {
      const item = shortTitle(para.replace(DASH_BULLET, ''));
      if (item) add(node, item.title, item.rest);
      continue;
    }
    if (!section) continue;
    const item = shortTitle(heads[i]?.rest ?? para);
    if (item) add(node, item.title, item.rest);
  }
  return principles;
}
