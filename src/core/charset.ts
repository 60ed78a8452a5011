import { isUtf8 } from 'node:buffer';

// Charset detection order: Content-Type, then <meta charset>, then a BOM, else UTF-8.

const GBK_FAMILY = new Set(['gbk', 'gb2312', 'x-gbk', 'gb18030', 'gb_2312-80', 'csgb2312']);

function charsetOf(text: string | null): string | null {
  const m = text?.match(/charset\s*=\s*["']?([\w.:-]+)/i);
  return m ? m[1].toLowerCase() : null;
}

export function sniffBom(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** The charset a body declares, normalised to a TextDecoder label. */
export function detectCharset(bytes: Uint8Array, contentType: string | null): string {
  // <meta charset> sits in the first 1 KB of a page; ASCII-decode just that much to look for it.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(1024, bytes.byteLength)).toString('latin1');
  const meta = charsetOf(head.match(/<meta[^>]+charset[^>]*>/i)?.[0] ?? null);
  const label = charsetOf(contentType) ?? meta ?? sniffBom(bytes) ?? 'utf-8';
  if (GBK_FAMILY.has(label)) return 'gb18030'; // the gbk decoder drops 4-byte sequences
  return label === 'utf8' ? 'utf-8' : label;
}

export class CharsetError extends Error {
  override name = 'CharsetError';
}

/** Decodes a body strictly: invalid bytes throw rather than turn into mojibake. */
export function decodeBody(bytes: Uint8Array, contentType: string | null): { text: string; encoding: string } {
  const encoding = detectCharset(bytes, contentType);
  // UTF-8, the common case, is checked and decoded by Node's native (SIMD) routines: several times faster than a fatal TextDecoder.
  if (encoding === 'utf-8') {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (isUtf8(buf)) return { text: buf.toString('utf8', sniffBom(bytes) === 'utf-8' ? 3 : 0), encoding };
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  } catch {
    throw new CharsetError(`unknown charset "${encoding}"`);
  }
  try {
    return { text: decoder.decode(bytes), encoding };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new CharsetError(`invalid ${encoding} bytes${bad >= 0 && encoding === 'utf-8' ? ` at byte ${bad}` : ''}`);
  }
}

/** Offset of the first byte that breaks UTF-8, for an error message that points at it. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}
