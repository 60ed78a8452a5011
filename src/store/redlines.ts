import { diffChars } from 'diff';
import { foldText } from '../core/text.ts';

export interface ProvisionText {
  path: string;
  label: string;
  heading: string;
  text: string;
}

export type RedlineType = 'added' | 'removed' | 'modified' | 'moved';

export interface Redline {
  /** The new path and label, or the old ones for a removal. */
  path: string;
  label: string;
  from_path: string | null;
  change_type: RedlineType;
  old_text: string | null;
  new_text: string | null;
  diff: string | null;
}

/** Pairs whose texts share less than this (bigram Dice) are not the same provision. */
const SIMILAR = 0.5;

/** What a provision says: its heading and text, without its number (renumbering is a move, not a change). */
const bodyOf = (p: ProvisionText): string => (p.heading && !p.text.startsWith(p.heading) ? `${p.heading}\n${p.text}` : p.text);

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const g = s.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Depth in the outline: a provision moves only among its peers (an article never becomes an item). */
const depth = (p: ProvisionText): number => p.path.split('.').length;

/** Dice coefficient over character bigrams: robust for Chinese, where words are not spaced. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const ga = bigrams(a);
  const gb = bigrams(b);
  let common = 0;
  for (const [g, n] of ga) common += Math.min(n, gb.get(g) ?? 0);
  return (2 * common) / (a.length - 1 + b.length - 1);
}

/** Inline markup of a character diff: `[-old-]{+new+}`. */
export function diffMarkup(oldText: string, newText: string): string {
  return diffChars(oldText, newText)
    .map((c) => (c.added ? `{+${c.value}+}` : c.removed ? `[-${c.value}-]` : c.value))
    .join('');
}

/**
 * Aligns the provisions of two versions of one document: identical texts first (same path: unchanged;
 * other path: moved), then same path (modified), then the most similar remaining pair (moved).
 * Texts are compared folded, so a change of width or spacing alone is no change.
 */
export function redlineProvisions(oldNodes: ProvisionText[], newNodes: ProvisionText[]): Redline[] {
  const fold = (p: ProvisionText) => foldText(bodyOf(p));
  const oldLeft = new Map(oldNodes.map((p) => [p.path, p]));
  const newLeft = new Map(newNodes.map((p) => [p.path, p]));
  const out: Redline[] = [];
  const emit = (o: ProvisionText, n: ProvisionText, type: RedlineType) => {
    oldLeft.delete(o.path);
    newLeft.delete(n.path);
    const [a, b] = [bodyOf(o), bodyOf(n)];
    out.push({ path: n.path, label: n.label, from_path: o.path, change_type: type, old_text: a, new_text: b, diff: foldText(a) === foldText(b) ? null : diffMarkup(a, b) });
  };

  // Identical texts: unchanged where the path stands, moved where it does not.
  const byText = new Map<string, ProvisionText[]>();
  for (const o of oldNodes) byText.set(fold(o), [...(byText.get(fold(o)) ?? []), o]);
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
  // Similar texts elsewhere: renumbered and reworded articles are moves.
  const candidates: { o: ProvisionText; n: ProvisionText; s: number }[] = [];
  for (const n of newLeft.values()) {
    const fn = fold(n);
    for (const o of oldLeft.values()) {
      if (o.path === n.path || depth(o) !== depth(n)) continue;
      const s = similarity(fold(o), fn);
      if (s >= SIMILAR) candidates.push({ o, n, s });
    }
  }
  candidates.sort((x, y) => y.s - x.s || (x.n.path < y.n.path ? -1 : 1));
  for (const { o, n } of candidates) {
    if (!oldLeft.has(o.path) || !newLeft.has(n.path)) continue;
    // Keep a same-path pair that is at least as alike for the modified step.
    const samePath = oldLeft.get(n.path);
    if (samePath && similarity(fold(samePath), fold(n)) >= similarity(fold(o), fold(n))) continue;
    emit(o, n, 'moved');
  }
  // What stands at the same path is that provision rewritten.
  for (const n of [...newLeft.values()]) {
    const o = oldLeft.get(n.path);
    if (o) emit(o, n, 'modified');
  }
  for (const o of oldLeft.values()) out.push({ path: o.path, label: o.label, from_path: o.path, change_type: 'removed', old_text: bodyOf(o), new_text: null, diff: null });
  for (const n of newLeft.values()) out.push({ path: n.path, label: n.label, from_path: null, change_type: 'added', old_text: null, new_text: bodyOf(n), diff: null });
  return out;
}
