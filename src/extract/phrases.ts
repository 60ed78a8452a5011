// Dictionary lookup in running text: a character trie, leftmost-longest and without overlaps, one pass.

interface TrieNode<V> {
  next: Map<number, TrieNode<V>>;
  /** The value of the phrase that ends here, if one does. */
  value?: V;
}

export interface PhraseMatch<V> {
  start: number;
  end: number;
  value: V;
}

/** Finds the phrases of a dictionary (printed form → value) in text in O(text × longest phrase). */
export class PhraseMatcher<V> {
  private readonly root = new Map<number, TrieNode<V>>();
  /** 1 for every character a phrase starts with: most characters of a text are rejected by one array read. */
  private readonly starts = new Uint8Array(0x10000);

  /** Later phrases replace earlier ones with the same printed form. */
  constructor(phrases: Iterable<readonly [phrase: string, value: V]>) {
    for (const [phrase, value] of phrases) {
      let next = this.root;
      let node: TrieNode<V> | undefined;
      this.starts[phrase.charCodeAt(0)] = 1;
      for (let i = 0; i < phrase.length; i++) {
        const code = phrase.charCodeAt(i);
        node = next.get(code);
        if (!node) next.set(code, (node = { next: new Map() }));
        next = node.next;
      }
      node!.value = value;
    }
  }

  /** Every match, left to right; at each position the longest phrase wins and the scan resumes after it. */
  findAll(text: string): PhraseMatch<V>[] {
    const found: PhraseMatch<V>[] = [];
    const { starts, root } = this;
    for (let i = 0; i < text.length; ) {
      const code = text.charCodeAt(i);
      let node = starts[code] === 1 ? root.get(code) : undefined;
      let end = -1;
      let value: V | undefined;
      for (let j = i + 1; node !== undefined; j++) {
        if (node.value !== undefined) {
          end = j;
          value = node.value;
        }
        node = j < text.length ? node.next.get(text.charCodeAt(j)) : undefined;
      }
      if (end < 0) {
        i++;
        continue;
      }
      found.push({ start: i, end, value: value! });
      i = end;
    }
    return found;
  }
}
