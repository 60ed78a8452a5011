// Dictionary lookup in running text: a character trie, leftmost-longest and without overlaps, one pass.

export interface PhraseMatch<V> {
  start: number;
  end: number;
  value: V;
}

/**
 * Finds the phrases of a dictionary (printed form → value) in text in O(text × longest phrase).
 * The trie is flat for speed: node ids, a dense table for the first character (most characters of a
 * text are rejected by one array read) and an open-addressing table of typed arrays for the other
 * edges (a Map of number keys costs several times more per step of the scan).
 */
export class PhraseMatcher<V> {
  private readonly first = new Int32Array(0x10000);
  /** Edge table: slot → parent node id, character code and child node id (0: empty slot). */
  private readonly edgeParent: Int32Array;
  private readonly edgeCode: Uint16Array;
  private readonly edgeChild: Int32Array;
  private readonly mask: number;
  /** Fibonacci hashing keeps the top bits of the product: 32 minus the table's bits. */
  private readonly shift: number;
  /** Value of the phrase that ends at each node id; node 0 is the root. */
  private readonly values: (V | undefined)[] = [undefined];

  /** Later phrases replace earlier ones with the same printed form. */
  constructor(phrases: Iterable<readonly [phrase: string, value: V]>) {
    const list = [...phrases];
    let slots = 16;
    while (slots < 2 * list.reduce((n, [phrase]) => n + phrase.length, 0)) slots *= 2;
    this.edgeParent = new Int32Array(slots);
    this.edgeCode = new Uint16Array(slots);
    this.edgeChild = new Int32Array(slots);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (const [phrase, value] of list) {
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const code = phrase.charCodeAt(i);
        let child = node === 0 ? this.first[code] : this.child(node, code);
        if (child === 0) {
          child = this.values.length;
          this.values.push(undefined);
          if (node === 0) this.first[code] = child;
          else this.addEdge(node, code, child);
        }
        node = child;
      }
      this.values[node] = value;
    }
  }

  private slotOf(node: number, code: number): number {
    return (Math.imul(node, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) >>> this.shift;
  }

  private addEdge(node: number, code: number, child: number): void {
    let slot = this.slotOf(node, code);
    while (this.edgeChild[slot] !== 0) slot = (slot + 1) & this.mask;
    this.edgeParent[slot] = node;
    this.edgeCode[slot] = code;
    this.edgeChild[slot] = child;
  }

  /** The child of `node` along character `code`, or 0. */
  private child(node: number, code: number): number {
    for (let slot = this.slotOf(node, code); ; slot = (slot + 1) & this.mask) {
      const child = this.edgeChild[slot];
      if (child === 0 || (this.edgeParent[slot] === node && this.edgeCode[slot] === code)) return child;
    }
  }

  /** Every match, left to right; at each position the longest phrase wins and the scan resumes after it. */
  findAll(text: string): PhraseMatch<V>[] {
    const found: PhraseMatch<V>[] = [];
    const { first, values } = this;
    for (let i = 0; i < text.length;) {
      let node = first[text.charCodeAt(i)];
      if (node === 0) {
        i++;
        continue;
      }
      let end = -1;
      let value: V | undefined;
      for (let j = i + 1; ; j++) {
        if (values[node] !== undefined) {
          end = j;
          value = values[node];
        }
        if (j >= text.length) break;
        node = this.child(node, text.charCodeAt(j));
        if (node === 0) break;
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
