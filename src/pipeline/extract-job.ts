import { PostError } from '../core/errors.ts';
import type { RawPost, Row } from '../core/types.ts';
import { extractDocument } from '../extract/index.ts';
import { parsePost } from '../parse/index.ts';
import { rowsOf } from './rows.ts';

/** What parsing and extracting one post gives the run: its rows and what the filters look at, or why it failed. */
export type ExtractResult =
  | { ok: true; categories: string[]; isPolicy: boolean; rows: Record<string, Row[]> }
  | { ok: false; stage: PostError['stage']; message: string };

/** One post to parse and extract, with the document id the run gave it. */
export interface ExtractJob {
  post: RawPost;
  docId: string;
}

/** Parse + extract + rows for one post: pure, so it runs the same inline or in a worker thread. */
export function extractPost({ post: raw, docId }: ExtractJob): ExtractResult {
  try {
    const post = parsePost(raw);
    const doc = extractDocument(post);
    return { ok: true, categories: post.categories, isPolicy: doc.fields.is_policy, rows: rowsOf(docId, post, doc, raw.url, raw.sourcePath ?? null) };
  } catch (err) {
    if (err instanceof PostError) return { ok: false, stage: err.stage, message: err.message };
    return { ok: false, stage: 'extract', message: `unexpected error: ${(err as Error).message}` };
  }
}

// The handler a WorkerPool thread runs.
export default extractPost;
