// The `[-removed-]{+added+}` markup of redlines.diff, read into pieces and cut down to the sentences that hold a change.

export interface RedlinePiece {
  kind: 'same' | 'del' | 'ins';
  text: string;
}

const MARKUP = /\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g;

/** The diff as unchanged, deleted and inserted pieces, in order. */
export function redlinePieces(diff: string): RedlinePiece[] {
  const out: RedlinePiece[] = [];
  let last = 0;
  for (const m of diff.matchAll(MARKUP)) {
    if (m.index > last) out.push({ kind: 'same', text: diff.slice(last, m.index) });
    out.push(m[1] !== undefined ? { kind: 'del', text: m[1] } : { kind: 'ins', text: m[2] });
    last = m.index + m[0].length;
  }
  if (last < diff.length) out.push({ kind: 'same', text: diff.slice(last) });
  return out;
}

/** Where a Chinese sentence ends: after 。！？； (and a closing quote or bracket that follows). */
const SENTENCE_END = /[。！？；!?;][”’」』）)]*/g;

/**
 * The pieces of the sentences that hold a change, with `…` where unchanged sentences were left out, so a
 * change deep in a long provision shows in its sentence instead of being cut off after its first characters.
 */
export function changeContext(diff: string): RedlinePiece[] {
  const pieces = redlinePieces(diff);
  // Split unchanged text at sentence ends; a changed piece stays whole and marks its sentence.
  const units: { piece: RedlinePiece; sentence: number }[] = [];
  let sentence = 0;
  for (const piece of pieces) {
    if (piece.kind !== 'same') {
      units.push({ piece, sentence });
      continue;
    }
    let last = 0;
    for (const m of piece.text.matchAll(SENTENCE_END)) {
      const end = m.index + m[0].length;
      units.push({ piece: { kind: 'same', text: piece.text.slice(last, end) }, sentence });
      sentence++;
      last = end;
    }
    if (last < piece.text.length) units.push({ piece: { kind: 'same', text: piece.text.slice(last) }, sentence });
  }
  const changed = new Set(units.filter((u) => u.piece.kind !== 'same').map((u) => u.sentence));
  if (changed.size === 0) return pieces;
  const out: RedlinePiece[] = [];
  let skipped = false;
  for (const u of units) {
    if (!changed.has(u.sentence)) {
      skipped = true;
      continue;
    }
    if (skipped) out.push({ kind: 'same', text: '…' });
    skipped = false;
    const prev = out.at(-1);
    if (prev && prev.kind === 'same' && u.piece.kind === 'same') prev.text += u.piece.text;
    else out.push({ ...u.piece });
  }
  if (skipped) out.push({ kind: 'same', text: '…' });
  return out;
}

/** The context of a change as markup again (`[-…-]{+…+}`), for text such as CHANGELOG.md. */
export function changeContextMarkup(diff: string): string {
  return changeContext(diff)
    .map((p) => (p.kind === 'del' ? `[-${p.text}-]` : p.kind === 'ins' ? `{+${p.text}+}` : p.text))
    .join('');
}
