import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { LogFormat } from './logging.ts';
import { reportError } from './report.ts';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  help: string;
  /** Help lines of the command's own options, printed before the logging options. */
  optionsHelp?: string;
  /** Imports the command's module only when it runs, so `--help` and `status` load no pipeline code. */
  action(args: {
    values: Record<string, unknown>;
    positionals: string[];
    /** Makes the command's logger: only the commands that log load the logging libraries. */
    logger: () => Promise<Logger>;
    interactive: boolean;
    verbose: boolean;
  }): Promise<number>;
}

const LOG_OPTIONS = {
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  'log-format': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOG_HELP = `  -q, --quiet              only warnings and errors
  -v, --verbose            debug detail, and the stack trace of a failure
      --log-format FORMAT  json (one object per line) or pretty; default: pretty on a terminal, json otherwise
  -h, --help               this help`;

const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'fetch, extract and publish once',
    usage: 'zhengce run [options] <pipeline id | file.yaml>…',
    options: { ...LOG_OPTIONS, offline: { type: 'boolean' }, adopt: { type: 'boolean' } },
    optionsHelp: `      --offline            rebuild from the raw snapshots of earlier runs (output/<id>/raw), with no network
      --adopt              let the output folder pass to this pipeline and source when it belongs to another
                           (a source moved or its paths changed on purpose); without it such a run is refused
`,
    help: `Runs each named pipeline once: fetches its posts, extracts the policy documents and publishes
a new release under its output folder when anything changed. A pipeline is named by its id
(pipelines/<id>.yaml) or by the path of a YAML file.

Exit status: 0 every post processed; 2 a release stands but some posts were rejected or failed
(each listed by name and reason); 1 nothing could be published (the message says why);
75 another run of the pipeline holds its lock (the message names it; try again later).
An output folder belongs to the pipeline (id and source) of its first run: a run of another
pipeline or source there is refused (exit 1, nothing changed) unless --adopt hands it over.
Several pipelines are all loaded and validated before any runs (a bad name or file: exit 1, nothing
runs); each then runs even when an earlier one failed, and the exit is the most severe of theirs:
1, then 75, then 2, then 0.`,
    action: async ({ values, positionals, logger, interactive, verbose }) =>
      (await import('./run.ts')).runCommand(positionals, { logger: await logger(), interactive, offline: Boolean(values.offline), adopt: Boolean(values.adopt), verbose }),
  },
  schedule: {
    summary: 'run pipelines on their cron schedules until stopped',
    usage: 'zhengce schedule [options] [pipeline id | file.yaml]…',
    options: { ...LOG_OPTIONS },
    help: `Runs each named pipeline (every pipelines/*.yaml when none is named) on its "schedule" cron, in its
"timezone" (default Asia/Shanghai), logging each next run time. A named pipeline without a schedule
is an error; of all pipelines, those without one are skipped with a log line. A run never overlaps
another run of the same pipeline, here or in another process (a tick while it is busy is skipped).

SIGTERM or SIGINT stops scheduling; a run in progress finishes its publish step or stops before it,
then the command exits 0. A second signal exits at once (still safe: the next run recovers).`,
    action: async ({ positionals, logger }) => (await import('./schedule.ts')).scheduleCommand(positionals, { logger: await logger() }),
  },
  status: {
    summary: 'last run, last release, failures and next run of pipelines',
    usage: 'zhengce status [options] [pipeline id | file.yaml]…',
    options: { ...LOG_OPTIONS, json: { type: 'boolean' } },
    help: `Shows, for each named pipeline (every pipelines/*.yaml when none is named), its last run (status ok,
partial or failed), the last run refused for the lock (skipped), its last release, the posts the last
run could not process, the next scheduled run and the run in progress (or a stale lock), if any. It
reads output/<id>/status.json, latest.json and the lock file, never the store, so it works while a
run is going.`,
    optionsHelp: `      --json               one JSON object {"pipelines": [...]} instead of readable lines
`,
    action: async ({ values, positionals }) => (await import('./status.ts')).statusCommand(positionals, { json: Boolean(values.json), out: process.stdout }),
  },
  diff: {
    summary: 'print the changes between two releases',
    usage: 'zhengce diff [options] <release-a> <release-b>',
    options: { ...LOG_OPTIONS, json: { type: 'boolean' }, pipeline: { type: 'string', short: 'p' } },
    help: `Compares two releases table by table (keyed rows: inserted, updated, deleted) and lists the
documents added, changed (with the changed columns and provision counts) and removed. A release is
a release folder, or with --pipeline a release id or "latest" of that pipeline.`,
    optionsHelp: `      --json               the whole comparison as one JSON object
  -p, --pipeline ID        resolve release ids against this pipeline's output folder
`,
    action: async ({ values, positionals }) =>
      (await import('./releases.ts')).diffCommand(positionals, { json: Boolean(values.json), pipeline: values.pipeline as string | undefined, out: process.stdout }),
  },
  validate: {
    summary: "check a release's files against its datapackage.json",
    usage: 'zhengce validate [options] <release>',
    options: { ...LOG_OPTIONS, json: { type: 'boolean' }, pipeline: { type: 'string', short: 'p' } },
    help: `Checks every file a release's datapackage.json lists: its bytes and sha256, its row count, its
columns and (Parquet) their types, required values and unique keys. Exit 0 when all match, 1 on
any mismatch, each named with the file and what differs.`,
    optionsHelp: `      --json               the report as one JSON object
  -p, --pipeline ID        resolve a release id (or "latest") against this pipeline's output folder
`,
    action: async ({ values, positionals }) =>
      (await import('./releases.ts')).validateCommand(positionals, { json: Boolean(values.json), pipeline: values.pipeline as string | undefined, out: process.stdout }),
  },
  export: {
    summary: 'write whole tables of any release as single files',
    usage: 'zhengce export [options] <release> --out DIR',
    options: { ...LOG_OPTIONS, pipeline: { type: 'string', short: 'p' }, table: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' } },
    help: `Writes each table of a release as one file, <table>.csv and <table>.parquet (or <table>.xlsx), into DIR,
in the release's published order; a table over 200,000 rows gets no xlsx (export it as csv). A release is a release folder, or with --pipeline a release id or "latest";
with --pipeline, a release whose folder was pruned (publish.keep) is rebuilt from history/.`,
    optionsHelp: `  -p, --pipeline ID        resolve a release id (or "latest") against this pipeline's output folder
      --table T            only this table (repeat for several)
      --format FORMAT      csv, parquet or xlsx (default: csv and parquet)
      --out DIR            the folder to write into (made when missing)
`,
    action: async ({ values, positionals }) =>
      (await import('./releases.ts')).exportCommand(positionals, {
        pipeline: values.pipeline as string | undefined,
        tables: (values.table as string[] | undefined) ?? [],
        format: values.format as string | undefined,
        out: values.out as string | undefined,
        stdout: process.stdout,
      }),
  },
  serve: {
    summary: "serve a pipeline's output folder (its release pages) on 127.0.0.1",
    usage: 'zhengce serve [options] [pipeline id | file.yaml]',
    options: { ...LOG_OPTIONS, port: { type: 'string' } },
    help: `Serves output/<id>/ over HTTP on 127.0.0.1 (with range requests), so the release pages' documents
browser, document pages, timeline and SQL console work; / leads to the latest release. With no
pipeline named, the one pipeline of pipelines/. Only the published part is served (releases/, latest,
latest.json, site/, history/, downloads/, search/, feed.xml), judged by the file a path finally resolves
to: store.duckdb, raw/, run.lock, status.json, dot-files and a symlink leading out of it are not found.
Runs until SIGINT or SIGTERM.`,
    optionsHelp: `      --port N             the port (default 8321; 0 picks a free one)
`,
    action: async ({ values, positionals, logger }) => (await import('./serve.ts')).serveCommand(positionals, { port: values.port as string | undefined, logger: await logger(), out: process.stdout }),
  },
};

function topHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `zhengce: Chinese government policy posts → versioned CSV/Parquet datasets

Usage: zhengce <command> [options]

Commands:
${lines.join('\n')}

Run "zhengce <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${topHelp()}\n`);
    return name ? EXIT.ok : EXIT.failed;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new CliError(`${(cause as Error).message}\nusage: ${command.usage} (see --help)`, { cause });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`usage: ${command.usage}\n\n${command.help}\n\nOptions:\n${command.optionsHelp ?? ''}${LOG_HELP}\n`);
    return EXIT.ok;
  }
  const interactive = Boolean(process.stdout.isTTY);
  const format = (values['log-format'] as string | undefined) ?? (interactive ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new CliError(`--log-format must be json or pretty, not "${format}"`);
  const level = values.quiet ? 'warn' : values.verbose ? 'debug' : 'info';
  const logger = async () => (await import('./logging.ts')).createLogger({ format: format as LogFormat, level, stream: process.stdout });
  const verbose = Boolean(values.verbose);
  try {
    return await command.action({ values, positionals, logger, interactive: interactive && !values.quiet, verbose });
  } catch (err) {
    return reportError(err, { verbose });
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.exitCode = reportError(err);
}
