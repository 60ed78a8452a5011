import { PostError } from '../core/errors.ts';
import type { DocumentRows } from '../core/tables.ts';
import type { RawPost } from '../core/types.ts';
import { extractDocument } from '../extract/index.ts';
import { parsePost } from '../parse/index.ts';
import { rowsOf } from './rows.ts';

/** What parsing and extracting one post gives the run: its rows, what the filters look at and what to warn of, or why it failed. */
export type ExtractResult = { ok: true; categories: string[]; isPolicy: boolean; rows: DocumentRows; warnings: string[] } | { ok: false; stage: PostError['stage']; message: string };

/** One post to parse and extract, with the document id the run gave it. */
export interface ExtractJob {
  post: RawPost;
  docId: string;
}

/**
 * Characters one published value may hold: a CSV line stays under the 2 MB that DuckDB's CSV reader (and
 * so the release site) takes by default. The longest real provision holds under 3,000.
 */
const MAX_CELL_CHARS = 100_000;

/** The first value of the rows over MAX_CELL_CHARS, as `table.column` and its length, or null. */
function oversizedCell(rows: DocumentRows): { where: string; chars: number } | null {
  for (const [table, list] of Object.entries(rows)) {
    for (const row of list) {
      for (const [column, value] of Object.entries(row)) {
        const chars = typeof value === 'string' ? value.length : Array.isArray(value) ? value.join('').length : 0;
        if (chars > MAX_CELL_CHARS) return { where: `${table}.${column}`, chars };
      }
    }
  }
  return null;
}

/** Parse + extract + rows for one post: pure, so it runs the same inline or in a worker thread. */
function extractPost({ post: raw, docId }: ExtractJob): ExtractResult {
  try {
    const post = parsePost(raw);
    const doc = extractDocument(post);
    const rows = rowsOf(docId, post, doc, raw.url, raw.sourcePath ?? null);
    const oversized = oversizedCell(rows);
    if (oversized) {
      const { where, chars } = oversized;
      return {
        ok: false,
        stage: 'extract',
        message: `its ${where} would hold ${chars.toLocaleString('en')} characters, over the ${MAX_CELL_CHARS.toLocaleString('en')} a published value may hold: a text this long in one piece is not a document's (check the post for lost line breaks)`,
      };
    }
    return { ok: true, categories: post.categories, isPolicy: doc.fields.is_policy, rows, warnings: post.warnings };
  } catch (err) {
    if (err instanceof PostError) return { ok: false, stage: err.stage, message: err.message };
    return { ok: false, stage: 'extract', message: `unexpected error: ${(err as Error).message}` };
  }
}

// The handler a WorkerPool thread runs.
export default extractPost;
