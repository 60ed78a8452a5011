import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stable document identity: the same post of the same source always gets the same id. */
export function docId(source: string, sourceId: string): string {
  return sha256(`${source}\u0000${sourceId}`).slice(0, 16);
}
