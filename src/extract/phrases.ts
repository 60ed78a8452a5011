// Dictionary lookup in running text: a character trie, leftmost-longest and without overlaps, one pass.

export interface PhraseMatch<V> {
  start: number;
  end: number;
  value: V;
}

/**
 * Finds the phrases of a dictionary (printed form → value) in text in O(text × longest phrase).
 * The trie is flat for speed: node ids, a dense table for the first character (most characters of a
 * text are rejected by one array read) and one integer-keyed map for the other edges.
 */
export class PhraseMatcher<V> {
  private readonly first = new Int32Array(0x10000);
  /** (node id × 0x10000 + character code) → child node id. */
  private readonly edges = new Map<number, number>();
  /** Value of the phrase that ends at each node id; node 0 is the root. */
  private readonly values: (V | undefined)[] = [undefined];

  /** Later phrases replace earlier ones with the same printed form. */
  constructor(phrases: Iterable<readonly [phrase: string, value: V]>) {
    for (const [phrase, value] of phrases) {
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const code = phrase.charCodeAt(i);
        let child = node === 0 ? this.first[code] : (this.edges.get(node * 0x10000 + code) ?? 0);
        if (child === 0) {
          child = this.values.length;
          this.values.push(undefined);
          if (node === 0) this.first[code] = child;
          else this.edges.set(node * 0x10000 + code, child);
        }
        node = child;
      }
      this.values[node] = value;
    }
  }

  /** Every match, left to right; at each position the longest phrase wins and the scan resumes after it. */
  findAll(text: string): PhraseMatch<V>[] {
    const found: PhraseMatch<V>[] = [];
    const { first, edges, values } = this;
    for (let i = 0; i < text.length; ) {
      let node = first[text.charCodeAt(i)];
      if (node === 0) {
        i++;
        continue;
      }
      let end = -1;
      for (let j = i + 1; ; j++) {
        if (values[node] !== undefined) end = j;
        if (j >= text.length) break;
        node = edges.get(node * 0x10000 + text.charCodeAt(j)) ?? 0;
        if (node === 0) break;
      }
      if (end < 0) {
        i++;
        continue;
      }
      found.push({ start: i, end, value: this.valueAt(text, i, end) });
      i = end;
    }
    return found;
  }

  /** The value of the phrase text[start, end), known to be in the dictionary. */
  private valueAt(text: string, start: number, end: number): V {
    let node = this.first[text.charCodeAt(start)];
    for (let j = start + 1; j < end; j++) node = this.edges.get(node * 0x10000 + text.charCodeAt(j))!;
    return this.values[node]!;
  }
}
