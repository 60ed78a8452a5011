/**
 * Folds text for comparison: NFKC turns full-width punctuation and U+3000 into their ASCII forms,
 * then every space goes, so `（一）` equals `(一)` and `总 则` equals `总则`.
 */
export function foldText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}
