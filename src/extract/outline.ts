// The outline tree: which paragraphs are the document's own text, and how their labels nest.
import type { Provision, TextPlace } from '../core/types.ts';
import { DATE_LINE } from './dates.ts';
import { matchLabel, STRUCTURAL_RANK, type Label, type LabelStyle } from './labels.ts';
import { closeCjkGaps, splitFirstSentence, stripSpaces } from './text.ts';

/** An attachment marker: `附件`, `附件2`, `附件：…`. */
const ATTACHMENT = /^附\s*件\s*\d*\s*(?:[:：].*)?$/;
const CONTENTS = /^目\s*录$/;
const TRAILING_COLON = /[：:]$/;

export interface OutlineResult {
  provisions: Provision[];
  /** The paragraphs that are the document's text: [start, end). */
  start: number;
  end: number;
  /** For each paragraph index in [start, end), the index in `provisions` of the node it belongs to, or -1. */
  owner: Int32Array;
  /** For each paragraph index, its label where the paragraph is the labelled first paragraph of its node, else null. */
  heads: (Label | null)[];
  /** Some provision is an article (第X条). */
  hasArticles: boolean;
}

/**
 * The span of paragraphs that carries the outline, with the label of each of its paragraphs. A notice
 * that encloses a document (关于印发…的通知) contributes only the enclosed text, which starts after the
 * notice's signature date. The text ends at the first 附件 marker after numbered items began
 * (attachments are tables, lists, specimens).
 */
function outlineSpan(paragraphs: string[], enclosesDocument: boolean): { start: number; end: number; labels: (Label | null)[] } {
  let start = 0;
  if (enclosesDocument) {
    const signature = paragraphs.findIndex((p) => DATE_LINE.test(p));
    if (signature >= 0) start = signature + 1;
  }
  const labels: (Label | null)[] = new Array(paragraphs.length).fill(null);
  let end = paragraphs.length;
  let seenLabel = false;
  for (let i = start; i < paragraphs.length; i++) {
    if (seenLabel && ATTACHMENT.test(paragraphs[i])) {
      end = i;
      break;
    }
    labels[i] = matchLabel(paragraphs[i]);
    if (labels[i] !== null) seenLabel = true;
  }
  return { start, end, labels };
}

/** Indexes of paragraphs inside a 目录 block: from the 目录 line up to the repeat of its first entry. */
function contentsBlock(paragraphs: string[], start: number, end: number): Set<number> {
  const skipped = new Set<number>();
  for (let i = start; i < end; i++) {
    if (!CONTENTS.test(paragraphs[i]) || i + 1 >= end) continue;
    const firstEntry = stripSpaces(paragraphs[i + 1]);
    let j = i + 2;
    while (j < end && stripSpaces(paragraphs[j]) !== firstEntry) j++;
    if (j >= end) continue; // no repeat: not a table of contents after all
    for (let k = i; k < j; k++) skipped.add(k);
    i = j - 1;
  }
  return skipped;
}

/** Heading and own text of a labelled paragraph (gold rules: articles have no heading). */
function headingAndText(label: Label): { heading: string; text: string } {
  if (label.style === 'tiao') return { heading: '', text: label.rest };
  if (label.structural) return { heading: stripSpaces(label.rest), text: '' };
  const { first, rest } = splitFirstSentence(label.rest);
  return { heading: stripSpaces(first).replace(TRAILING_COLON, ''), text: rest };
}

/**
 * Items inside an article (its 项 and 目: （一）, 1.) are parts of the article, not divisions of the
 * document: they sit at least two levels below it, so levels 1–2 always hold the document's divisions
 * and articles (gold: 第X条 alone is level 1, under 第X章 level 2; （一） inside an article is deeper).
 */
const ITEM_LEVEL_BELOW_ARTICLE = 2;

/** Level of the innermost open article, or null outside any article. */
function articleDepth(styles: LabelStyle[], open: Provision[]): number | null {
  const at = styles.lastIndexOf('tiao');
  return at < 0 ? null : open[at].level;
}

export function extractOutline(paragraphs: string[], enclosesDocument: boolean): OutlineResult {
  const { start, end, labels: heads } = outlineSpan(paragraphs, enclosesDocument);
  const skipped = contentsBlock(paragraphs, start, end);
  const provisions: Provision[] = [];
  const owner = new Int32Array(paragraphs.length).fill(-1);
  let hasArticles = false;
  // Open nodes from the outermost in: the style of each level and its provision.
  const styles: LabelStyle[] = [];
  const open: Provision[] = [];
  const texts: string[][] = [];
  let current = -1;
  for (let i = start; i < end; i++) {
    const label = heads[i];
    if (skipped.has(i)) {
      heads[i] = null;
      continue;
    }
    if (label === null) {
      if (current >= 0) {
        texts[current].push(paragraphs[i]);
        owner[i] = current;
      }
      continue;
    }
    // A style already open is a sibling at that level; a new style nests under the current node.
    const level = styles.lastIndexOf(label.style);
    if (level >= 0) {
      styles.length = level;
      open.length = level;
    } else {
      const rank = STRUCTURAL_RANK[label.style];
      if (rank !== undefined) {
        while (styles.length > 0 && (STRUCTURAL_RANK[styles[styles.length - 1]] ?? Infinity) > rank) {
          styles.pop();
          open.pop();
        }
      }
    }
    const parent = open.length > 0 ? open[open.length - 1] : null;
    const articleLevel = articleDepth(styles, open);
    const { heading, text } = headingAndText(label);
    const node: Provision = {
      path: parent ? `${parent.path}.${label.number}` : label.number,
      level: articleLevel === null ? styles.length + 1 : Math.max(styles.length + 1, articleLevel + ITEM_LEVEL_BELOW_ARTICLE),
      parent_path: parent ? parent.path : null,
      label: label.label,
      heading,
      text: '',
      ord: provisions.length + 1,
    };
    styles.push(label.style);
    open.push(node);
    current = provisions.length;
    provisions.push(node);
    texts.push(text === '' ? [] : [text]);
    owner[i] = current;
    if (label.style === 'tiao') hasArticles = true;
  }
  for (let k = 0; k < provisions.length; k++) provisions[k].text = closeCjkGaps(texts[k].join('\n'));
  return { provisions, start, end, owner, heads, hasArticles };
}

/** Every paragraph as text of no provision (a news item's body). */
export function bodyWithoutOutline(paragraphs: string[]): OutlineResult {
  const owner = new Int32Array(paragraphs.length).fill(-1);
  return { provisions: [], start: 0, end: paragraphs.length, owner, heads: new Array(paragraphs.length).fill(null), hasArticles: false };
}

/** A paragraph of the document's own text, without its numbering label, and where it sits. */
export interface PlacedParagraph extends TextPlace {
  text: string;
}

/** Path of text that comes before the first numbered item (the preamble). */
const PREAMBLE_PATH = '0';

/** The document's own paragraphs in order, each placed in its provision (or the preamble), labels removed. */
export function placedParagraphs(paragraphs: string[], outline: OutlineResult): PlacedParagraph[] {
  const { provisions, owner, heads, start, end } = outline;
  const placed: PlacedParagraph[] = [];
  for (let i = start; i < end; i++) {
    const node = owner[i] >= 0 ? provisions[owner[i]] : null;
    const text = heads[i]?.rest ?? paragraphs[i];
    placed.push({ provision_ord: node?.ord ?? 0, path: node?.path ?? PREAMBLE_PATH, text: closeCjkGaps(text) });
  }
  return placed;
}
