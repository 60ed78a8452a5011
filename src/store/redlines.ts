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

/** A text as compared: folded, with its bigram counts built once, when first needed. */
class Folded {
  private counted?: Map<string, number>;
  constructor(readonly text: string) {}
  get grams(): Map<string, number> {
    return (this.counted ??= bigrams(this.text));
  }
}

const folded = (text: string): Folded => new Folded(text);

/** Dice coefficient over character bigrams of two folded texts. */
function dice(a: Folded, b: Folded): number {
  if (a.text === b.text) return 1;
  if (a.text.length < 2 || b.text.length < 2) return 0;
  let common = 0;
  for (const [g, n] of a.grams) common += Math.min(n, b.grams.get(g) ?? 0);
  return (2 * common) / (a.text.length - 1 + b.text.length - 1);
}

/** Dice coefficient over character bigrams: robust for Chinese, where words are not spaced. */
export function similarity(a: string, b: string): number {
  return dice(folded(a), folded(b));
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
  // Each node's body is folded once and its bigrams counted at most once, not once per pair compared.
  const foldOf = new Map<ProvisionText, Folded>();
  for (const p of [...oldNodes, ...newNodes]) foldOf.set(p, folded(foldText(bodyOf(p))));
  const fold = (p: ProvisionText): string => foldOf.get(p)!.text;
  const alike = (a: ProvisionText, b: ProvisionText): number => dice(foldOf.get(a)!, foldOf.get(b)!);
  const oldLeft = new Map(oldNodes.map((p) => [p.path, p]));
  const newLeft = new Map(newNodes.map((p) => [p.path, p]));
  const out: Redline[] = [];
  const emit = (o: ProvisionText, n: ProvisionText, type: RedlineType) => {
    oldLeft.delete(o.path);
    newLeft.delete(n.path);
    const [a, b] = [bodyOf(o), bodyOf(n)];
    out.push({ path: n.path, label: n.label, from_path: o.path, change_type: type, old_text: a, new_text: b, diff: fold(o) === fold(n) ? null : diffMarkup(a, b) });
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
  // Similar texts elsewhere: renumbered and reworded articles are moves.
  const candidates: { o: ProvisionText; n: ProvisionText; s: number }[] = [];
  for (const n of newLeft.values()) {
    for (const o of oldLeft.values()) {
      if (o.path === n.path || depth(o) !== depth(n)) continue;
      const s = alike(o, n);
      if (s >= SIMILAR) candidates.push({ o, n, s });
    }
  }
  candidates.sort((x, y) => y.s - x.s || (x.n.path < y.n.path ? -1 : 1));
  for (const { o, n, s } of candidates) {
    if (!oldLeft.has(o.path) || !newLeft.has(n.path)) continue;
    // Keep a same-path pair that is at least as alike for the modified step.
    const samePath = oldLeft.get(n.path);
    if (samePath && alike(samePath, n) >= s) continue;
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
