// The site's shared assets, output/<id>/site/: written once per code version, reached by every release page relatively.
import { createHash } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { CliError } from '../core/errors.ts';
import { writeFileAtomic, writeFolderAside } from '../core/files.ts';

const require = createRequire(import.meta.url);
const BROWSER_ENTRY = fileURLToPath(new URL('./browser/app.js', import.meta.url));
const DUCKDB_DIST = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
/** The DuckDB-WASM bundles the page picks from (selectBundle): exceptions-enabled, and the fallback for browsers without them. */
const DUCKDB_FILES = ['duckdb-eh.wasm', 'duckdb-browser-eh.worker.js', 'duckdb-mvp.wasm', 'duckdb-browser-mvp.worker.js'];
/** exceljs's browser build, loaded by the page only when a selection is downloaded as XLSX. */
const EXCELJS_BROWSER = join(dirname(require.resolve('exceljs')), 'dist', 'exceljs.min.js');
const STAMP = 'stamp.txt';

const siteDir = (outputDir: string): string => join(outputDir, 'site');

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
  const entry = await readFile(BROWSER_ENTRY, 'utf8');
  hash.update(entry);
  // The script's imports of our own code (the 发文字号 normalization, the CSV flavours), read from its import lines: from src/ a
  // `./x.js` is the `./x.ts` beside it (as esbuild resolves it), from dist/ the built file itself.
  for (const [, spec] of entry.matchAll(/^import[^'"]*from\s+'(\.[^']+)';$/gm)) {
    const own = fileURLToPath(new URL(spec, pathToFileURL(BROWSER_ENTRY)));
    hash.update(await readFile(import.meta.url.endsWith('.ts') ? own.replace(/\.js$/, '.ts') : own));
  }
  for (const p of ['@duckdb/duckdb-wasm', 'apache-arrow', 'csv-stringify', 'exceljs']) hash.update(`${p}@${await packageVersion(p)}\n`);
  return hash.digest('hex');
}

/** A hard link to the npm package's file (no copy of 70 MB of WebAssembly), or a copy across file systems. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(() => copyFile(from, to));
}

/** A temp folder only this user can write, so no one else can plant a script the site would serve. */
async function privateCacheDir(): Promise<string | null> {
  const dir = join(tmpdir(), `zhengce-site-cache-${process.getuid?.() ?? 'user'}`);
  await mkdir(dir, { mode: 0o700 }).catch(() => {});
  const s = await lstat(dir).catch(() => null);
  const own = s?.isDirectory() && (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
  return own ? dir : null;
}

/** The page script bundled (esbuild) once per stamp for this user, cached in a private temp folder: every new output folder links it. */
async function bundledScript(stamp: string, staging: string): Promise<string> {
  const cacheDir = await privateCacheDir();
  const cached = cacheDir ? join(cacheDir, `${stamp.slice(0, 16)}.js`) : join(staging, 'app.build.js');
  if (cacheDir && (await stat(cached).catch(() => null))) return cached;
  const built = await build({
    entryPoints: [BROWSER_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  await writeFileAtomic(cached, built.outputFiles[0].contents);
  return cached;
}

/** Writes output/<id>/site/ unless it already holds this code's assets; returns whether it wrote. */
export async function writeSiteAssets(outputDir: string): Promise<boolean> {
  const dir = siteDir(outputDir);
  const stamp = await assetsStamp();
  const current = await readFile(join(dir, STAMP), 'utf8').catch(() => null);
  if (current === stamp) return false;
  // A site/ that zhengce did not write (no stamp) is the user's: never replaced.
  if (current === null && (await lstat(dir).catch(() => null)))
    throw new CliError(`${dir} exists but was not written by zhengce (no ${STAMP}); move it away so the release site's assets can be written there`);
  // Built aside and renamed into place, so a page never sees half a site.
  await writeFolderAside(dir, async (staging) => {
    for (const f of DUCKDB_FILES) await linkOrCopy(join(DUCKDB_DIST, f), join(staging, f));
    await linkOrCopy(EXCELJS_BROWSER, join(staging, 'exceljs.min.js'));
    await linkOrCopy(await bundledScript(stamp, staging), join(staging, 'app.js'));
    await rm(join(staging, 'app.build.js'), { force: true });
    await writeFile(join(staging, STAMP), stamp);
  });
  return true;
}
