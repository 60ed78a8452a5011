// The site's shared assets, output/<id>/site/: written once per code version, reached by every release page relatively.
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const BROWSER_ENTRY = fileURLToPath(new URL('./browser/app.js', import.meta.url));
const DUCKDB_DIST = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
/** The DuckDB-WASM bundles the page picks from (selectBundle): exceptions-enabled, and the fallback for browsers without them. */
const DUCKDB_FILES = ['duckdb-eh.wasm', 'duckdb-browser-eh.worker.js', 'duckdb-mvp.wasm', 'duckdb-browser-mvp.worker.js'];
const STAMP = 'stamp.txt';

export const siteDir = (outputDir: string): string => join(outputDir, 'site');

/** A package's version, from the package.json above its entry (some packages do not export ./package.json). */
async function packageVersion(name: string): Promise<string> {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = JSON.parse((await readFile(join(dir, 'package.json'), 'utf8').catch(() => null)) ?? '{}') as { name?: string; version?: string };
    if (pkg.name === name && pkg.version) return pkg.version;
  }
  throw new Error(`no package.json found for ${name}`);
}

/** What the assets are made of: the page script's sources and the library versions; a change rewrites site/. */
async function assetsStamp(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(BROWSER_ENTRY));
  for (const p of ['@duckdb/duckdb-wasm', 'apache-arrow', 'chart.js', 'csv-stringify']) hash.update(`${p}@${await packageVersion(p)}\n`);
  return hash.digest('hex');
}

/** A hard link to the npm package's file (no copy of 70 MB of WebAssembly), or a copy across file systems. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(() => copyFile(from, to));
}

/** Writes output/<id>/site/ unless it already holds this code's assets; returns whether it wrote. */
export async function writeSiteAssets(outputDir: string): Promise<boolean> {
  const dir = siteDir(outputDir);
  const stamp = await assetsStamp();
  if ((await readFile(join(dir, STAMP), 'utf8').catch(() => null)) === stamp) return false;
  // Built aside and renamed into place, so a page never sees half a site.
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const f of DUCKDB_FILES) await linkOrCopy(join(DUCKDB_DIST, f), join(staging, f));
  await build({ entryPoints: [BROWSER_ENTRY], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outfile: join(staging, 'app.js'), logLevel: 'silent', legalComments: 'none' });
  await writeFile(join(staging, STAMP), stamp);
  const old = `${dir}.old-${process.pid}`;
  await rename(dir, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
  return true;
}
