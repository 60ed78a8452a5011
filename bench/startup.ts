// Start-up of the `zhengce` command, whole process, wall time, median of 5: `--help`, `status`, and a
// no-change run of the sample pipeline in a temporary folder. Run alone: `npx tsx bench/startup.ts`.
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'zhengce.js');
const TIMES = 5;

/** Seconds of wall time of one whole `zhengce` process, started as `npm start` starts it; fails loudly on a failed command. */
function wall(args: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`zhengce ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medianOf = (args: string[], cwd: string): number => median(Array.from({ length: TIMES }, () => wall(args, cwd)));

export async function benchStartup(): Promise<{ helpSeconds: number; statusSeconds: number; noChangeSeconds: number; nodeSeconds: number }> {
  // The build is made once, as `npm install` makes it; every process below finds it current.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js')]);
  const cwd = await mkdtemp(join(tmpdir(), 'zhengce-bench-startup-'));
  try {
    await mkdir(join(cwd, 'pipelines'));
    await cp(join(ROOT, 'pipelines', 'sample.yaml'), join(cwd, 'pipelines', 'sample.yaml'));
    await cp(join(ROOT, 'pipelines', 'sample'), join(cwd, 'pipelines', 'sample'), { recursive: true });
    wall(['run', 'sample', '-q'], cwd);
    return {
      helpSeconds: medianOf(['--help'], cwd),
      statusSeconds: medianOf(['status'], cwd),
      noChangeSeconds: medianOf(['run', 'sample', '-q'], cwd),
      // The floor any command stands on: Node starting and exiting, median of 5 as the others.
      nodeSeconds: median(
        Array.from({ length: TIMES }, () => {
          const t = process.hrtime.bigint();
          spawnSync(process.execPath, ['-e', '0']);
          return Number(process.hrtime.bigint() - t) / 1e9;
        }),
      ),
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(await benchStartup());
