// Builds RawPosts for the parse and extract tests: bundled corpus posts or in-memory text.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RawPost } from '../../src/core/types.ts';
import { ROOT, SAMPLE_POSTS } from '../helpers/cli.ts';

export const GOLD_DIR = join(ROOT, 'tests', 'fixtures', 'gold');

export function rawPost(sourceId: string, bytes: Uint8Array | string): RawPost {
  return {
    source: 'dir',
    sourceId,
    url: `${sourceId}.md`,
    bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
    contentType: null,
    revision: null,
    fetchedAt: '2026-01-01T00:00:00Z',
  };
}

/** One of the 35 corpus posts bundled byte for byte under pipelines/sample/posts. */
export function corpusPost(fileName: string): RawPost {
  return rawPost(fileName.replace(/\.\w+$/, ''), readFileSync(join(SAMPLE_POSTS, fileName)));
}

export function corpusFileNames(): string[] {
  return readdirSync(SAMPLE_POSTS)
    .filter((f) => /\.(md|html)$/.test(f))
    .sort();
}
