// What every format parser returns, and the error it throws for input it cannot read.

/** ParsedPost minus what the RawPost already says (source, id, url) and the sniffed format. */
export interface PostBody {
  title: string;
  publishedAt: string | null;
  categories: string[];
  tags: string[];
  meta: Record<string, string>;
  paragraphs: string[];
  link: string | null;
}

/** A format-level failure; parsePost turns it into a PostError naming the post. */
export class ParseFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ParseFailure';
  }
}
