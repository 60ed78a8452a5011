// HTML fragments → text blocks, with htmlparser2's streaming callbacks (one pass, no DOM).
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { normalizeSpace } from './text.ts';

/** Elements whose start or end breaks the running text into a new block. */
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tbody',
  'thead',
  'tr',
  'td',
  'th',
  'caption',
  'center',
  'section',
  'article',
  'blockquote',
  'pre',
]);
/** Elements whose text is never content. */
const SKIPPED_TAGS = new Set(['script', 'style', 'noscript', 'iframe', 'canvas', 'head', 'title', 'select', 'button', 'object']);
/** Publisher boilerplate: the eastmoney source credit 「（文章来源：…）」. */
const SKIPPED_CLASS = /\bem_media\b/;
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/** Whether an attribute hides its element's text from the reader (hidden, display:none, credit lines). */
function hidesElement(name: string, value: string): boolean {
  if (name === 'hidden') return true;
  if (name === 'style') return HIDDEN_STYLE.test(value);
  return name === 'class' && SKIPPED_CLASS.test(value);
}

interface HtmlText {
  /** Text blocks inside the root element (or the whole fragment), outside any table. */
  paragraphs: string[];
  /**
   * Text blocks inside tables within the root (attachment tables, indicator lists), normalized only
   * when asked for: a large attachment table has thousands of cells that are usually not needed.
   */
  tableCells: () => string[];
  /** Text blocks before the root element (e.g. the gov.cn metadata table); empty without a root. */
  before: string[];
}

/** Where a text block belongs: before the root, a paragraph of it, or a cell of a table in it. */
const BEFORE = 0;
const PARAGRAPH = 1;
const CELL = 2;

/**
 * Splits HTML into normalized text blocks. With `rootId`, only the element with that id is
 * content; blocks before it are returned separately and everything after it is ignored.
 * With `utf8Bytes`, `html` holds the bytes of a valid UTF-8 page without NUL, one character per
 * byte (latin1): the markup is ASCII, so only the text is decoded, in a single call at the end.
 */
export function htmlToText(html: string, rootId?: string, utf8Bytes = false): HtmlText {
  const blocks: string[] = [];
  const places: number[] = [];
  let depth = 0;
  let skipDepth = -1; // depth of the element that started a skipped subtree
  let rootDepth = rootId === undefined ? 0 : -1; // -1: root not reached yet; -2: root closed
  let tableDepth = 0;
  let inStockImage = false; // eastmoney wraps K-line chart blocks in EM_StockImg comments
  let buf = '';

  const flush = (): void => {
    if (buf === '') return;
    if (rootDepth !== -2) {
      blocks.push(buf);
      places.push(rootDepth >= 0 && tableDepth > 0 ? CELL : rootDepth === -1 ? BEFORE : PARAGRAPH);
    }
    buf = '';
  };

  const parser = new Parser(
    {
      // Tag names and attributes separately: no attribute object is built for the thousands of table cells.
      onopentagname(name) {
        if (BLOCK_TAGS.has(name)) flush();
        depth++;
        if (skipDepth < 0 && SKIPPED_TAGS.has(name)) skipDepth = depth;
        if (name === 'table' && rootDepth >= 0) tableDepth++;
      },
      onattribute(name, value) {
        if (skipDepth < 0 && hidesElement(name, value)) skipDepth = depth;
        if (rootDepth === -1 && name === 'id' && value === rootId) rootDepth = depth;
      },
      onclosetag(name) {
        if (BLOCK_TAGS.has(name)) flush();
        if (depth === skipDepth) skipDepth = -1;
        if (depth === rootDepth && rootId !== undefined) {
          rootDepth = -2;
          parser.pause(); // nothing after the root is content
        } else if (name === 'table' && rootDepth >= 0 && tableDepth > 0) tableDepth--;
        depth--;
      },
      ontext(text) {
        if (skipDepth < 0 && !inStockImage) buf += text;
      },
      oncomment(data) {
        if (data.includes('EM_StockImg_Start')) inStockImage = true;
        else if (data.includes('EM_StockImg_End')) inStockImage = false;
      },
    },
    // Entities are decoded in text only: attribute values (Word's long inline styles) are never read for content.
    { decodeEntities: false },
  );
  parser.end(html);
  flush();
  const texts = utf8Bytes ? Buffer.from(blocks.join('\0'), 'latin1').toString('utf8').split('\0') : blocks;
  const paragraphs: string[] = [];
  const before: string[] = [];
  const rawCells: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    // Entities are decoded after the bytes, so a decoded character never passes through the byte view.
    const raw = texts[i].includes('&') ? decodeHTML(texts[i]) : texts[i];
    if (places[i] === CELL) rawCells.push(raw);
    else {
      const text = normalizeSpace(raw);
      if (text !== '') (places[i] === BEFORE ? before : paragraphs).push(text);
    }
  }
  return { paragraphs, before, tableCells: () => rawCells.map(normalizeSpace).filter(Boolean) };
}
