/**
 * Folds text for comparison: NFKC turns full-width punctuation and U+3000 into their ASCII forms,
 * then every space goes, so `（一）` equals `(一)` and `总 则` equals `总则`.
 */
export function foldText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

/** A 发文字号's year bracket in one form: 国办发[2019]4号, (2019), （2019）, 【2019】 all read 国办发〔2019〕4号. */
export function normalizeDocNumber(text: string): string {
  return text.replace(/[[(（【〔]\s*(\d{4})\s*[\])）】〕]/g, '〔$1〕');
}
