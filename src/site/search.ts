// Full-text search in Chinese on a static host: Pagefind's extended build (which segments Chinese) over every document,
// in shards by doc_id, each rebuilt only when one of its documents changed and otherwise linked from the parent release.
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeDocNumber } from '../core/text.ts';
import type { SearchText } from '../core/publication.ts';

/** Pagefind's entry (it exports only `import`), and a require from there, where its binary packages resolve as Pagefind finds them. */
const PAGEFIND_ENTRY = fileURLToPath(import.meta.resolve('pagefind'));
const require = createRequire(PAGEFIND_ENTRY);

/** Documents from which the index is in 16 shards; below, one shard is one index to build and to query (Pagefind's cost per index). */
const SHARDED_FROM = 2_000;

/** A document's shard: `all` in a corpus under `shardedFrom` documents, else the first hex digit of its doc_id, so a change rebuilds a sixteenth of the index. */
export const searchShard = (docId: string, documents: number, shardedFrom = SHARDED_FROM): string => (documents < shardedFrom ? 'all' : docId.slice(0, 1));

/** Pagefind's files a search needs (its UI kits are left out: the page draws its own results). */
const KEEP = /^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\..*\.pf_meta|wasm\..*\.pagefind|index|fragment|filter)$/;
const MANIFEST = 'manifest.json';

/** What the index is made of: this module and Pagefind's version; a change rebuilds every shard. */
async function searchStamp(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(dirname(PAGEFIND_ENTRY), '..', 'package.json'), 'utf8')) as { version: string };
  return createHash('sha256')
    .update(await readFile(fileURLToPath(import.meta.url)))
    .update(pkg.version)
    .digest('hex');
}

/** Pagefind segments Chinese only in its extended binary; without it the index would find whole runs of characters only. */
function requireExtendedBinary(): void {
  if (process.env.PAGEFIND_EXTENDED_BINARY_PATH) return;
  const os = platform() === 'win32' ? 'windows' : platform();
  try {
    require.resolve(`@pagefind/${os}-${arch()}/bin/pagefind_extended${os === 'windows' ? '.exe' : ''}`);
  } catch {
    throw new Error(
      `Chinese full-text search needs Pagefind's extended binary (npm package @pagefind/${os}-${arch()}, installed with pagefind) and it is missing: run npm install, or set PAGEFIND_EXTENDED_BINARY_PATH`,
    );
  }
}

/** The text a document is found by: title, 发文字号 as printed and with its year bracket as 〔〕, issuer, type and body. */
function recordText(t: SearchText): string {
  const number = t.doc_number ? `${t.doc_number} ${normalizeDocNumber(t.doc_number)}` : '';
  return [t.title ?? '', number, t.issuer ?? '', t.doc_type, t.source_id, t.body].filter(Boolean).join('\n');
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (e.isDirectory()) await linkTree(join(from, e.name), join(to, e.name));
    else await link(join(from, e.name), join(to, e.name)).catch(() => copyFile(join(from, e.name), join(to, e.name)));
  }
}

export interface SearchIndexOptions {
  /** The release's search folder to write (releases/<id>/search). */
  dir: string;
  /** The parent release's search folder, whose unchanged shards are linked. */
  parentDir: string | null;
  /** Every current document with the fingerprint of what it is found by. */
  documents: { doc_id: string; fingerprint: string }[];
  /** The search texts of the given documents. */
  texts: (docIds: string[]) => Promise<SearchText[]>;
  /** Documents from which the index is sharded (SHARDED_FROM). */
  shardedFrom?: number;
}

/** Writes the release's search index; returns the shards it built and those it linked. */
export async function writeSearchIndex(o: SearchIndexOptions): Promise<{ built: string[]; linked: string[] }> {
  const stamp = await searchStamp();
  const shards = new Map<string, { docIds: string[]; hash: ReturnType<typeof createHash> }>();
  for (const d of o.documents) {
    const name = searchShard(d.doc_id, o.documents.length, o.shardedFrom);
    const s = shards.get(name) ?? { docIds: [], hash: createHash('sha256').update(stamp) };
    s.docIds.push(d.doc_id);
    s.hash.update(`${d.doc_id}:${d.fingerprint}\n`);
    shards.set(name, s);
  }
  const parent = o.parentDir ? ((JSON.parse((await readFile(join(o.parentDir, MANIFEST), 'utf8').catch(() => 'null')) ?? 'null') as { shards: Record<string, string> } | null) ?? null) : null;
  await mkdir(o.dir, { recursive: true });
  const manifest: Record<string, string> = {};
  const done = { built: [] as string[], linked: [] as string[] };
  let pagefind: typeof import('pagefind') | null = null;
  try {
    for (const [name, s] of [...shards].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const fingerprint = s.hash.digest('hex');
      manifest[name] = fingerprint;
      if (parent?.shards[name] === fingerprint) {
        await linkTree(join(o.parentDir!, name), join(o.dir, name));
        done.linked.push(name);
        continue;
      }
      if (!pagefind) {
        requireExtendedBinary();
        pagefind = await import('pagefind');
      }
      const { index, errors } = await pagefind.createIndex({ forceLanguage: 'zh' });
      if (!index) throw new Error(`Pagefind could not start an index: ${errors.join('; ')}`);
      for (const t of await o.texts(s.docIds)) {
        const meta: Record<string, string> = { title: t.title?.trim() ? t.title : `（无标题） ${t.source_id}`, type: t.doc_type };
        if (t.doc_number) meta.number = t.doc_number;
        if (t.issuer) meta.issuer = t.issuer;
        if (t.date) meta.date = t.date;
        // The 发文字号 is also a filter, so a search for one finds exactly its documents whatever its brackets.
        const filters: Record<string, string[]> = t.doc_number ? { number: [normalizeDocNumber(t.doc_number)] } : {};
        const added = await index.addCustomRecord({ url: `docs/${encodeURIComponent(t.doc_id)}.html`, content: recordText(t), language: 'zh', meta, filters });
        if (added.errors.length) throw new Error(`Pagefind could not index document ${t.doc_id}: ${added.errors.join('; ')}`);
      }
      const out = join(o.dir, name);
      const written = await index.writeFiles({ outputPath: out });
      if (written.errors.length) throw new Error(`Pagefind could not write ${out}: ${written.errors.join('; ')}`);
      await index.deleteIndex();
      for (const f of await readdir(out)) if (!KEEP.test(f)) await rm(join(out, f), { recursive: true });
      done.built.push(name);
    }
  } finally {
    await pagefind?.close();
  }
  await writeFile(join(o.dir, MANIFEST), `${JSON.stringify({ shards: manifest }, null, 2)}\n`);
  return done;
}
