import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock, noProgress, type Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { loadPipeline } from '../pipeline/config.ts';
import { runPipeline } from '../pipeline/run.ts';
import { createLogger, createProgress, type LogFormat } from './logging.ts';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  help: string;
  action(args: { values: Record<string, unknown>; positionals: string[]; logger: Logger; interactive: boolean }): Promise<number>;
}

const LOG_OPTIONS = {
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  'log-format': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOG_HELP = `  -q, --quiet              only warnings and errors
  -v, --verbose            debug detail
      --log-format FORMAT  json (one object per line) or pretty; default: pretty on a terminal, json otherwise
  -h, --help               this help`;

const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'fetch, extract and publish once',
    usage: 'zhengce run [options] <pipeline id | file.yaml>…',
    options: { ...LOG_OPTIONS },
    help: `Runs each named pipeline once: fetches its posts, extracts the policy documents and publishes
a new release under its output folder when anything changed. A pipeline is named by its id
(pipelines/<id>.yaml) or by the path of a YAML file.

Exit status: 0 every post processed; 2 a release stands but some posts were rejected or failed
(each listed by name and reason); 1 nothing could be published (the message says why).`,
    async action({ positionals, logger, interactive }) {
      if (positionals.length === 0) throw new CliError('name at least one pipeline: zhengce run <id|file.yaml> (see zhengce run --help)', { exitCode: EXIT.failed });
      let exit: number = EXIT.ok;
      for (const name of positionals) {
        const pipeline = await loadPipeline(name, process.cwd());
        const progress = interactive ? createProgress(process.stderr) : noProgress;
        const result = await runPipeline(pipeline, { clock: systemClock, logger, progress, env: process.env });
        for (const r of result.rejects) logger.warn({ pipeline: pipeline.config.id, source_id: r.source_id, url: r.url, stage: r.stage }, `rejected ${r.source_id}: ${r.reason}`);
        const where = result.releaseId ? `published ${pipeline.outputDir}/releases/${result.releaseId}` : 'no change: no new release';
        logger.info(
          { pipeline: pipeline.config.id, status: result.status, release_id: result.releaseId, fetched: result.fetched, unchanged: result.unchanged, rejected: result.rejected, failed: result.failed },
          `${pipeline.config.id}: ${where} (${result.fetched} fetched, ${result.unchanged} unchanged, ${result.rejected} rejected, ${result.failed} failed)`,
        );
        if (result.status === 'partial') exit = EXIT.partial;
      }
      return exit;
    },
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
    process.stdout.write(`usage: ${command.usage}\n\n${command.help}\n\nOptions:\n${LOG_HELP}\n`);
    return EXIT.ok;
  }
  const interactive = Boolean(process.stdout.isTTY);
  const format = (values['log-format'] as string | undefined) ?? (interactive ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new CliError(`--log-format must be json or pretty, not "${format}"`);
  const level = values.quiet ? 'warn' : values.verbose ? 'debug' : 'info';
  const logger = createLogger({ format: format as LogFormat, level, stream: process.stdout });
  return command.action({ values, positionals, logger, interactive: interactive && !values.quiet });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const exitCode = err instanceof CliError ? err.exitCode : EXIT.failed;
  const message = err instanceof CliError ? err.message : `unexpected error: ${(err as Error).stack ?? err}`;
  process.stderr.write(`zhengce: ${message}\n`);
  process.exitCode = exitCode;
}
