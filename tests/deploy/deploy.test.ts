import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../helpers/cli.ts';

const DEPLOY = join(ROOT, 'deploy');
const read = (name: string): Promise<string> => readFile(join(DEPLOY, name), 'utf8');

/** A systemd unit file as section → key → values (a key may repeat); throws on a line that is neither. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(kv && current, `line ${i + 1} is neither [Section] nor Key=value inside a section: ${raw}`);
    current.set(kv[1], [...(current.get(kv[1]) ?? []), kv[2]]);
  }
  return sections;
}

function value(unit: Map<string, Map<string, string[]>>, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

const installed = (command: string): boolean => {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
};

/** systemd-analyze verify: any warning about a unit fails the test. */
function verifyWithSystemd(files: string[]): void {
  const r = spawnSync('systemd-analyze', ['verify', ...files.map((f) => join(DEPLOY, f))], { encoding: 'utf8' });
  const warnings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(DEPLOY));
  assert.deepEqual(warnings, [], 'systemd-analyze verify');
}

test('zhengce.service runs `zhengce schedule`, restarts on failure and stops with SIGTERM', async () => {
  const unit = parseUnit(await read('zhengce.service'));
  assert.match(value(unit, 'Service', 'ExecStart') ?? '', /^\/\S+ (?:--\S+ )*\S*zhengce\.js schedule\b/);
  assert.equal(value(unit, 'Service', 'Restart'), 'on-failure');
  assert.equal(value(unit, 'Service', 'KillSignal'), 'SIGTERM');
  assert.ok(Number(value(unit, 'Service', 'TimeoutStopSec')) >= 30, 'a run in progress gets its 30 s to stop');
  assert.ok(value(unit, 'Service', 'WorkingDirectory'));
  assert.equal(value(unit, 'Install', 'WantedBy'), 'multi-user.target');
  assert.ok(value(unit, 'Unit', 'Description'));
});

test('zhengce-run.service and its timer run `zhengce run` every 30 minutes', async (t) => {
  const service = parseUnit(await read('zhengce-run.service'));
  assert.equal(value(service, 'Service', 'Type'), 'oneshot');
  assert.match(value(service, 'Service', 'ExecStart') ?? '', /^\/\S+ (?:--\S+ )*\S*zhengce\.js run \S+/);
  assert.equal(value(service, 'Service', 'SuccessExitStatus'), '75', 'a run skipped for the lock is no failure');
  const timer = parseUnit(await read('zhengce-run.timer'));
  assert.equal(value(timer, 'Timer', 'Unit'), 'zhengce-run.service');
  assert.ok(value(timer, 'Timer', 'OnCalendar'));
  assert.equal(value(timer, 'Timer', 'OnCalendar'), '*:0/30', 'minutes 0 and 30 of every hour');
  assert.equal(value(timer, 'Install', 'WantedBy'), 'timers.target');
  await t.test('systemd-analyze accepts the calendar and the units', (st) => {
    if (!installed('systemd-analyze')) {
      st.skip('systemd-analyze not installed');
      return;
    }
    const calendar = spawnSync('systemd-analyze', ['calendar', value(timer, 'Timer', 'OnCalendar')!], { encoding: 'utf8' });
    assert.equal(calendar.status, 0, calendar.stderr);
    assert.match(calendar.stdout, /Normalized form: \*-\*-\* \*:00\/30:00$/m, 'every 30 minutes');
    verifyWithSystemd(['zhengce.service', 'zhengce-run.service', 'zhengce-run.timer']);
  });
});

test('the crontab line has a valid schedule and runs `zhengce run`', async () => {
  const lines = (await read('crontab')).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));
  assert.equal(jobs.length, 1, lines.join('\n'));
  const fields = jobs[0].trim().split(/\s+/);
  const schedule = fields.slice(0, 5).join(' ');
  assert.ok(cron.validate(schedule), schedule);
  assert.equal(schedule, '*/30 * * * *', 'every 30 minutes, like the systemd timer');
  assert.match(fields.slice(5).join(' '), /zhengce\.js run \S+/);
});

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

async function workflowSteps(): Promise<Step[]> {
  const wf = parseYaml(await read('github-actions.yml')) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(wf.jobs).flatMap((j) => j.steps);
}

/**
 * Runs the workflow's run step as GitHub would (bash -e) in a scratch checkout whose bin/zhengce.js
 * is a stand-in: it sets latest.json's release_id to `after` (when given) and exits with `code`.
 */
async function runStep(script: string, o: { before?: string; after?: string; code: number }): Promise<{ status: number | null; output: string; log: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-gha-'));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'output', 'sample'), { recursive: true });
  const latest = (id: string): string => JSON.stringify({ release_id: id, path: `releases/${id}` });
  if (o.before) await writeFile(join(dir, 'output', 'sample', 'latest.json'), latest(o.before));
  const write = o.after ? `require('node:fs').writeFileSync('output/sample/latest.json', ${JSON.stringify(latest(o.after))});` : '';
  await writeFile(join(dir, 'bin', 'zhengce.js'), `${write}\nprocess.exit(${o.code});\n`);
  await writeFile(join(dir, 'bin', 'package.json'), '{"type": "commonjs"}\n');
  const outputFile = join(dir, 'github-output');
  await writeFile(outputFile, '');
  const r = spawnSync('bash', ['-e', '-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, GITHUB_OUTPUT: outputFile } });
  return { status: r.status, output: await readFile(outputFile, 'utf8'), log: `${r.stdout}${r.stderr}` };
}

test('the GitHub Actions workflow commits only when the run published a new release', async (t) => {
  const steps = await workflowSteps();
  const run = steps.find((s) => /zhengce\.js run \S+/.test(s.run ?? ''));
  const commit = steps.find((s) => /git commit /.test(s.run ?? ''));
  assert.ok(run && commit);
  assert.ok(run.id, 'the run step has an id its outputs are read by');
  // The commit step is conditional on the release id the run step outputs, not on a diff of output/ (status.json and store.duckdb change on every run).
  assert.equal(commit.if, `steps.${run.id}.outputs.release_id != ''`);
  assert.equal(commit.env?.RELEASE_ID, `\${{ steps.${run.id}.outputs.release_id }}`);
  assert.match(commit.run!, /git commit -m "data: release \$RELEASE_ID"/);
  assert.doesNotMatch(commit.run!, /git diff --cached --quiet/);
  assert.match(run.run!, /latest\.json/);

  if (!installed('jq')) {
    t.skip('jq not installed');
    return;
  }
  const script = run.run!;
  const cases: { name: string; before?: string; after?: string; code: number; status: number; output: string }[] = [
    { name: 'no change', before: 'r1', code: 0, status: 0, output: '' },
    { name: 'a new release', before: 'r1', after: 'r2', code: 0, status: 0, output: 'release_id=r2\n' },
    { name: 'the first release', after: 'r1', code: 0, status: 0, output: 'release_id=r1\n' },
    { name: 'a new release with rejected posts (exit 2)', before: 'r1', after: 'r2', code: 2, status: 0, output: 'release_id=r2\n' },
    { name: 'rejected posts, no new release (exit 2)', before: 'r1', code: 2, status: 0, output: '' },
    { name: 'a failed run (exit 1)', before: 'r1', code: 1, status: 1, output: '' },
    { name: 'a run refused for the lock (exit 75)', before: 'r1', code: 75, status: 75, output: '' },
  ];
  for (const c of cases) {
    const r = await runStep(script, c);
    assert.equal(r.status, c.status, `${c.name}: step exit\n${r.log}`);
    assert.equal(r.output, c.output, `${c.name}: step output`);
  }
});

test('the GitHub Actions workflow runs `zhengce run` on a valid cron and commits the release', async () => {
  const wf = parseYaml(await read('github-actions.yml')) as {
    on: { schedule: { cron: string }[] };
    permissions: Record<string, string>;
    jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
  };
  assert.ok(wf.on.schedule.length > 0);
  for (const s of wf.on.schedule) assert.ok(cron.validate(s.cron), s.cron);
  assert.equal(wf.permissions.contents, 'write', 'the job pushes a commit');
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const runs = steps.map((s) => s.run ?? '').join('\n');
  assert.match(runs, /zhengce\.js run \S+/);
  assert.match(runs, /git add .*output\//);
  assert.match(runs, /git commit /);
  assert.match(runs, /git push/);
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/checkout@')));
});

test('every recipe, npm start and the scaled benchmark start Node with the same heap cap the README documents', async () => {
  const cap = '--max-old-space-size=512';
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(`start Node with \`${cap}\``), 'README, Operations: Memory');
  const starts = [
    ...(await Promise.all(['crontab', 'zhengce.service', 'zhengce-run.service', 'github-actions.yml'].map(read))),
    (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start,
  ].flatMap((text) => text.split('\n').filter((line) => /\bnode\b.*bin\/zhengce\.js\b/.test(line) && !line.trimStart().startsWith('#')));
  assert.equal(starts.length, 5, starts.join('\n'));
  for (const line of starts) assert.ok(line.includes(`node ${cap} `), line);
  assert.ok((await readFile(join(ROOT, 'bench', 'bench.ts'), 'utf8')).includes(`const HEAP_CAP = '${cap}'`));
});

test('no recipe starts zhengce through npx or npm: a supervisor must signal node itself', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('**Supervise `node`, never `npx`.**'), 'README, Operations');
  // SIGTERM to npx ends npm and orphans the scheduler; installing with npm (npm ci) is fine.
  const viaNpm = /\bnpx\b|\bnpm\s+(?:-\S+\s+)*(?:start|restart|run|run-script|exec|x|test)\b/;
  const offending: string[] = [];
  for (const name of await readdir(DEPLOY)) {
    for (const [i, line] of (await read(name)).split('\n').entries()) {
      if (!line.trimStart().startsWith('#') && viaNpm.test(line)) offending.push(`${name}:${i + 1}: ${line.trim()}`);
    }
  }
  assert.deepEqual(offending, []);
});
