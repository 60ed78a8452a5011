// Tells the three post formats apart by their content, never by file name.
import type { PostFormat } from '../core/types.ts';

const FRONT_MATTER_START = /^\s*---[ \t]*\r?\n/;
export const MARKUP_START = /^\s*</;

export function sniffFormat(text: string): PostFormat {
  if (FRONT_MATTER_START.test(text)) return 'jekyll';
  if (MARKUP_START.test(text)) return 'govcn';
  return 'lawmd';
}
