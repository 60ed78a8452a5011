// The punctuation of official Chinese texts, declared once for every extractor (character-class sources for regexes).

/** Marks that end a sentence: 。！？ and ；, which ends each sentence of a list as 。 does; their ASCII forms too. */
export const SENTENCE_END_MARKS = '。！？；;!?';
/** Marks that break a sentence into clauses: ， and ：. */
export const CLAUSE_MARKS = '，,：:';
/** Brackets and quotes a sentence never ends inside: “…”, 《…》, （…）, 「…」, ‘…’. */
export const OPENING_MARKS = '“《（(「‘';
export const CLOSING_MARKS = '”》）)」’';

/** One mark that ends a sentence. */
export const SENTENCE_END = new RegExp(`[${SENTENCE_END_MARKS}]`);
/** One mark that ends a clause: a clause mark or a sentence end. */
export const CLAUSE_END = new RegExp(`[${CLAUSE_MARKS}${SENTENCE_END_MARKS}]`);
const CLAUSE_END_CODES = new Set([...CLAUSE_MARKS, ...SENTENCE_END_MARKS].map((c) => c.charCodeAt(0)));
/** Whether a UTF-16 code unit ends a clause (for scans that read character by character). */
export const isClauseEnd = (code: number): boolean => CLAUSE_END_CODES.has(code);
/** Regex source of one character inside a clause (no clause mark, no sentence end). */
export const IN_CLAUSE = `[^${CLAUSE_MARKS}${SENTENCE_END_MARKS}]`;
/** Regex source of one character inside a sentence. */
export const IN_SENTENCE = `[^${SENTENCE_END_MARKS}]`;
