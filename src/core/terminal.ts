/** C0 controls but tab and newline, DEL, and C1 controls (U+0080–U+009F, which some terminals obey as ESC sequences). */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const CONTROLS_AND_NEWLINES = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * Text safe to print to a terminal: every control character but tab is shown as \xHH, so a file
 * name or a remote value cannot set colours, the title or move the cursor. Newlines stay only in
 * text meant to span lines (`keepNewlines`); elsewhere a newline could forge a line of output.
 */
export function escapeControls(text: string, o: { keepNewlines?: boolean } = {}): string {
  return text.replace(o.keepNewlines ? CONTROLS : CONTROLS_AND_NEWLINES, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** JSON text with DEL and C1 controls as \u escapes (the same value to a parser): JSON.stringify and pino escape only C0. */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
