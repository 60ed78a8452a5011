// Whitespace normalization shared by the parsers.

/** ASCII whitespace, NBSP (&nbsp;), U+3000 and other Unicode spaces; a stray `&bsp;` is a broken &nbsp;. */
const SPACE_RUN = /(?:[\s\u00a0\u3000\u2000-\u200a\u202f\u205f]|&bsp;)+/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060]/;
const ZERO_WIDTH_ALL = /[\u200b-\u200d\u2060]/g;

/** Collapses every run of whitespace to one ASCII space, drops zero-width characters, trims. */
export function normalizeSpace(text: string): string {
  const spaced = text.replace(SPACE_RUN, ' ');
  return (ZERO_WIDTH.test(spaced) ? spaced.replace(ZERO_WIDTH_ALL, '') : spaced).trim();
}
