// `npm test`: every tests/**/*.test.ts, each in its own process, two at a time (two cores), the slowest first. A slow
// file started last would run on alone at the end while the other core idles, so the files measured slowest (each alone,
// `time`) start first, then all others by path. `node --test` itself sorts the files it is given (Node 20), so this
// script hands them to node:test's run() in that order, with the reporter `node --test` would use (spec on a terminal,
// else TAP), and exits 1 when any test fails. Run through tsx (package.json), whose loader the test processes inherit.
// A file missing from SLOWEST still runs (in path order after them); a name here that no longer exists is ignored.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Slowest first, as measured (each file alone); the rest take a few seconds each. */
const SLOWEST = [
  'tests/pipeline/parts.test.ts',
  'tests/sources/github.test.ts',
  'tests/pipeline/crash.test.ts',
  'tests/pipeline/github.test.ts',
  'tests/pipeline/changes.test.ts',
  'tests/site/site.test.ts',
  'tests/cli/status.test.ts',
  'tests/pipeline/lock.test.ts',
  'tests/cli/startup.test.ts',
  'tests/pipeline/run.test.ts',
  'tests/schedule/schedule.test.ts',
  'tests/pipeline/operate.test.ts',
  'tests/cli/releases.test.ts',
  'tests/site/serve.test.ts',
  'tests/pipeline/owner.test.ts',
  'tests/pipeline/recover.test.ts',
  'tests/schedule/logs.test.ts',
  'tests/publish/xlsx.test.ts',
  'tests/site/scale.test.ts',
  'tests/store/sorted.test.ts',
  'tests/publish/formats.test.ts',
  'tests/publish/measures-order.test.ts',
  'tests/cli/serve.test.ts',
  'tests/pipeline/after-commit.test.ts',
  'tests/publish/validate.test.ts',
  'tests/pipeline/large-posts.test.ts',
  'tests/pipeline/laws.test.ts',
  'tests/cli/run.test.ts',
  'tests/cli/errors.test.ts',
  'tests/deploy/pages.test.ts',
  'tests/helpers/browser.test.ts',
];

const all = readdirSync(join(ROOT, 'tests'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
  .map((e) => relative(ROOT, join(e.parentPath, e.name)))
  .sort();
const first = SLOWEST.filter((f) => all.includes(f));
const files = [...first, ...all.filter((f) => !first.includes(f))];

if (process.argv.includes('--list')) {
  process.stdout.write(`${files.join('\n')}\n`);
} else {
  const stream = run({ files: files.map((f) => join(ROOT, f)), concurrency: 2 });
  stream.on('test:fail', () => (process.exitCode = 1));
  stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
}
