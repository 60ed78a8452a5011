// What every format parser returns, and the error it throws for input it cannot read.
import type { ParsedPost } from '../core/types.ts';

/** ParsedPost minus what the RawPost already says (source, id, url) and the sniffed format. */
export type PostBody = Omit<ParsedPost, 'source' | 'sourceId' | 'url' | 'format'>;

/** A format-level failure; parsePost turns it into a PostError naming the post. */
export class ParseFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ParseFailure';
  }
}
