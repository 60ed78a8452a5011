// Whitespace normalization shared by the parsers.

/** ASCII whitespace, NBSP (&nbsp;), U+3000 and other Unicode spaces; a stray `&bsp;` is a broken &nbsp;. */
const SPACE_RUN = /(?:[\s\u00a0\u3000\u2000-\u200a\u202f\u205f]|&bsp;)+/g;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/** Collapses every run of whitespace to one ASCII space and trims. */
export function normalizeSpace(text: string): string {
  return text.replace(INVISIBLE, '').replace(SPACE_RUN, ' ').trim();
}
