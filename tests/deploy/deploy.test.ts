import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

/** systemd-analyze verify, where systemd is installed: any warning about a unit fails the test. */
function verifyWithSystemd(files: string[]): void {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return;
  const r = spawnSync('systemd-analyze', ['verify', ...files.map((f) => join(DEPLOY, f))], { encoding: 'utf8' });
  const warnings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(DEPLOY));
  assert.deepEqual(warnings, [], 'systemd-analyze verify');
}

test('zhengce.service runs `zhengce schedule`, restarts on failure and stops with SIGTERM', async () => {
  const unit = parseUnit(await read('zhengce.service'));
  assert.match(value(unit, 'Service', 'ExecStart') ?? '', /^\/\S+ \S*zhengce\.js schedule\b/);
  assert.equal(value(unit, 'Service', 'Restart'), 'on-failure');
  assert.equal(value(unit, 'Service', 'KillSignal'), 'SIGTERM');
  assert.ok(Number(value(unit, 'Service', 'TimeoutStopSec')) >= 30, 'a run in progress gets its 30 s to stop');
  assert.ok(value(unit, 'Service', 'WorkingDirectory'));
  assert.equal(value(unit, 'Install', 'WantedBy'), 'multi-user.target');
  assert.ok(value(unit, 'Unit', 'Description'));
});

test('zhengce-run.service and its timer run `zhengce run` every 30 minutes', async () => {
  const service = parseUnit(await read('zhengce-run.service'));
  assert.equal(value(service, 'Service', 'Type'), 'oneshot');
  assert.match(value(service, 'Service', 'ExecStart') ?? '', /^\/\S+ \S*zhengce\.js run \S+/);
  assert.equal(value(service, 'Service', 'SuccessExitStatus'), '75', 'a run skipped for the lock is no failure');
  const timer = parseUnit(await read('zhengce-run.timer'));
  assert.equal(value(timer, 'Timer', 'Unit'), 'zhengce-run.service');
  assert.ok(value(timer, 'Timer', 'OnCalendar'));
  assert.equal(value(timer, 'Install', 'WantedBy'), 'timers.target');
  const calendar = spawnSync('systemd-analyze', ['calendar', value(timer, 'Timer', 'OnCalendar')!], { encoding: 'utf8' });
  if (!calendar.error) assert.equal(calendar.status, 0, calendar.stderr);
  verifyWithSystemd(['zhengce.service', 'zhengce-run.service', 'zhengce-run.timer']);
});

test('the crontab line has a valid schedule and runs `zhengce run`', async () => {
  const lines = (await read('crontab')).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));
  assert.equal(jobs.length, 1, lines.join('\n'));
  const fields = jobs[0].trim().split(/\s+/);
  const schedule = fields.slice(0, 5).join(' ');
  assert.ok(cron.validate(schedule), schedule);
  assert.match(fields.slice(5).join(' '), /zhengce\.js run \S+/);
});

test('the GitHub Actions workflow runs `zhengce run` on a valid cron and commits the release', async () => {
  const wf = parseYaml(await read('github-actions.yml')) as {
    on: { schedule: { cron: string }[] };
    permissions: Record<string, string>;
    jobs: Record<string, { 'runs-on': string; steps: { uses?: string; run?: string }[] }>;
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
