import { diffChars } from 'diff';
import { foldText } from '../core/text.ts';

export interface ProvisionText {
  path: string;
  label: string;
  heading: string;
  text: string;
}

type RedlineType = 'added' | 'removed' | 'modified' | 'moved';

/** How `diff` was made: a character diff, or the whole old text replaced by the new (its diff would have cost too much). */
type DiffKind = 'chars' | 'replaced';

export interface Redline {
  /** The new path and label, or the old ones for a removal. */
  path: string;
  label: string;
  from_path: string | null;
  change_type: RedlineType;
  old_text: string | null;
  new_text: string | null;
  diff: string | null;
  diff_kind: DiffKind | null;
}

/** Pairs whose texts share less than this (bigram Dice) are not the same provision. */
const SIMILAR = 0.5;

/** At most this many peers are scored against a provision; a depth with no more old provisions than this is compared all with all. */
const PEERS = 128;

/**
 * How much character diffing one document may do. Budgets count characters and edits (an insertion or a
 * deletion each), not time, so the output does not depend on the machine.
 */
export interface DiffBudget {
  /** Edits one diff may look for. */
  maxEdits: number;
  /** Work (old + new length × edits looked for) one diff may take: a long text gets fewer edits. */
  diffWork: number;
  /** Work all the diffs of one document may take together. */
  documentWork: number;
}

/** Under a second for one diff and a few seconds for one document here; texts of up to 80,000 characters together may have all 2,000 edits. */
export const DEFAULT_DIFF_BUDGET: DiffBudget = { maxEdits: 2_000, diffWork: 160_000_000, documentWork: 1_000_000_000 };

/** What a provision says: its heading and text, without its number (renumbering is a move, not a change). */
const bodyOf = (p: ProvisionText): string => (p.heading && !p.text.startsWith(p.heading) ? `${p.heading}\n${p.text}` : p.text);

function ngrams(s: string, n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= s.length; i++) {
    const g = s.slice(i, i + n);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Depth in the outline: a provision moves only among its peers (an article never becomes an item). */
const depth = (p: ProvisionText): number => p.path.split('.').length;

/** A text as compared: folded, with its bigram counts and trigrams built once, when first needed. */
class Folded {
  private counted?: Map<string, number>;
  private keyed?: string[];
  constructor(readonly text: string) {}
  get grams(): Map<string, number> {
    return (this.counted ??= ngrams(this.text, 2));
  }
  /** Its distinct character trigrams: the keys that find its likely peers (in similar texts, bigrams are too common to tell them apart). */
  get keys(): string[] {
    return (this.keyed ??= [...ngrams(this.text, 3).keys()]);
  }
}

const folded = (text: string): Folded => new Folded(text);

/** Dice coefficient over character bigrams of two folded texts: robust for Chinese, where words are not spaced. */
function dice(a: Folded, b: Folded): number {
  if (a.text === b.text) return 1;
  if (a.text.length < 2 || b.text.length < 2) return 0;
  const [small, large] = a.grams.size <= b.grams.size ? [a.grams, b.grams] : [b.grams, a.grams];
  let common = 0;
  for (const [g, n] of small) common += Math.min(n, large.get(g) ?? 0);
  return (2 * common) / (a.text.length - 1 + b.text.length - 1);
}

/** Texts whose lengths alone keep their Dice below SIMILAR: they share at most the shorter one's bigrams. */
const tooUnequal = (a: Folded, b: Folded): boolean => 4 * (Math.min(a.text.length, b.text.length) - 1) < a.text.length - 1 + b.text.length - 1;

/**
 * The old provisions (indexes into `olds`, ascending) worth scoring against each new one: all of them
 * when there are at most PEERS, else those sharing its rarest trigrams, taken rarest first while the
 * total stays within PEERS. So the cost grows with the number of provisions, not with its square.
 */
function peerFinder(olds: Folded[]): (n: Folded) => number[] {
  if (olds.length <= PEERS) {
    const all = olds.map((_, i) => i);
    return () => all;
  }
  const postings = new Map<string, number[]>();
  olds.forEach((o, i) => {
    for (const g of o.keys) {
      const list = postings.get(g);
      if (list) list.push(i);
      else postings.set(g, [i]);
    }
  });
  return (n) => {
    const keys = n.keys.filter((g) => postings.has(g));
    keys.sort((x, y) => postings.get(x)!.length - postings.get(y)!.length || (x < y ? -1 : x > y ? 1 : 0));
    const picked = new Set<number>();
    for (const g of keys) {
      const list = postings.get(g)!;
      if (picked.size + list.length > PEERS) break;
      for (const i of list) picked.add(i);
    }
    return [...picked].sort((x, y) => x - y);
  };
}

/** Inline markup of character diffs, `[-old-]{+new+}`, while the document's budget lasts; past it, the whole old text replaced by the new. */
class Differ {
  private left: number;
  constructor(private readonly budget: DiffBudget) {
    this.left = budget.documentWork;
  }

  markup(oldText: string, newText: string): { diff: string; kind: DiffKind } {
    const size = oldText.length + newText.length;
    const maxEditLength = Math.min(this.budget.maxEdits, Math.floor(Math.min(this.budget.diffWork, this.left) / size));
    const parts = maxEditLength > 0 ? diffChars(oldText, newText, { maxEditLength }) : undefined;
    if (parts === undefined) {
      this.left -= size * maxEditLength;
      return { diff: `[-${oldText}-]{+${newText}+}`, kind: 'replaced' };
    }
    this.left -= size * parts.reduce((n, c) => n + (c.added || c.removed ? c.count : 0), 0);
    return { diff: parts.map((c) => (c.added ? `{+${c.value}+}` : c.removed ? `[-${c.value}-]` : c.value)).join(''), kind: 'chars' };
  }
}

/**
 * Aligns the provisions of two versions of one document: identical texts first (same path: unchanged;
 * other path: moved), then same path (modified), then the most similar remaining pair (moved).
 * Texts are compared folded, so a change of width or spacing alone is no change.
 */
export function redlineProvisions(oldNodes: ProvisionText[], newNodes: ProvisionText[], budget: DiffBudget = DEFAULT_DIFF_BUDGET): Redline[] {
  // Each node's body is folded once and its bigrams counted at most once, not once per pair compared.
  const foldOf = new Map<ProvisionText, Folded>();
  for (const p of [...oldNodes, ...newNodes]) foldOf.set(p, folded(foldText(bodyOf(p))));
  const fold = (p: ProvisionText): string => foldOf.get(p)!.text;
  const alike = (a: ProvisionText, b: ProvisionText): number => dice(foldOf.get(a)!, foldOf.get(b)!);
  const oldLeft = new Map(oldNodes.map((p) => [p.path, p]));
  const newLeft = new Map(newNodes.map((p) => [p.path, p]));
  const differ = new Differ(budget);
  const out: Redline[] = [];
  const emit = (o: ProvisionText, n: ProvisionText, type: RedlineType) => {
    oldLeft.delete(o.path);
    newLeft.delete(n.path);
    const [a, b] = [bodyOf(o), bodyOf(n)];
    const { diff, kind } = fold(o) === fold(n) ? { diff: null, kind: null } : differ.markup(a, b);
    out.push({ path: n.path, label: n.label, from_path: o.path, change_type: type, old_text: a, new_text: b, diff, diff_kind: kind });
  };
  // Identical texts: unchanged where the path stands, moved where it does not.
  const byText = new Map<string, ProvisionText[]>();
  for (const o of oldNodes) {
    const same = byText.get(fold(o));
    if (same) same.push(o);
    else byText.set(fold(o), [o]);
  }
  for (const n of newNodes) {
    const f = fold(n);
    const same = oldLeft.get(n.path);
    if (same && fold(same) === f) {
      oldLeft.delete(n.path);
      newLeft.delete(n.path);
      continue;
    }
    const twin = byText.get(f)?.find((o) => oldLeft.has(o.path) && depth(o) === depth(n) && (!newLeft.has(o.path) || fold(newLeft.get(o.path)!) !== f));
    if (twin && newLeft.has(n.path)) emit(twin, n, 'moved');
  }
  // Similar texts elsewhere: renumbered and reworded articles are moves. Peers are found by depth.
  const byDepth = new Map<number, { olds: ProvisionText[]; news: ProvisionText[] }>();
  const group = (d: number) => byDepth.get(d) ?? byDepth.set(d, { olds: [], news: [] }).get(d)!;
  for (const o of oldLeft.values()) group(depth(o)).olds.push(o);
  for (const n of newLeft.values()) group(depth(n)).news.push(n);
  const candidates: { o: ProvisionText; n: ProvisionText; s: number }[] = [];
  for (const { olds, news } of byDepth.values()) {
    const peersOf = peerFinder(olds.map((o) => foldOf.get(o)!));
    for (const n of news) {
      const fn = foldOf.get(n)!;
      for (const i of peersOf(fn)) {
        const o = olds[i];
        if (o.path === n.path || tooUnequal(foldOf.get(o)!, fn)) continue;
        const s = alike(o, n);
        if (s >= SIMILAR) candidates.push({ o, n, s });
      }
    }
  }
  candidates.sort((x, y) => y.s - x.s || (x.n.path < y.n.path ? -1 : 1));
  // How alike each new node is to what stood at its path, computed once per node rather than once per candidate.
  const samePathAlike = new Map<ProvisionText, number>();
  for (const { o, n, s } of candidates) {
    if (!oldLeft.has(o.path) || !newLeft.has(n.path)) continue;
    // Keep a same-path pair that is at least as alike for the modified step.
    const samePath = oldLeft.get(n.path);
    if (samePath) {
      if (!samePathAlike.has(n)) samePathAlike.set(n, alike(samePath, n));
      if (samePathAlike.get(n)! >= s) continue;
    }
    emit(o, n, 'moved');
  }
  // What stands at the same path is that provision rewritten.
  for (const n of [...newLeft.values()]) {
    const o = oldLeft.get(n.path);
    if (o) emit(o, n, 'modified');
  }
  for (const o of oldLeft.values()) out.push({ path: o.path, label: o.label, from_path: o.path, change_type: 'removed', old_text: bodyOf(o), new_text: null, diff: null, diff_kind: null });
  for (const n of newLeft.values()) out.push({ path: n.path, label: n.label, from_path: null, change_type: 'added', old_text: null, new_text: bodyOf(n), diff: null, diff_kind: null });
  return out;
}
