// An output folder belongs to one pipeline: the store records which, and from what source, at the first run.
import type { Logger } from '../core/effects.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { canonicalSource } from '../sources/index.ts';
import type { Store } from '../store/store.ts';
import type { Pipeline } from './config.ts';

/** The pipeline an output folder belongs to and its source in canonical words; source is null for a store made before it was recorded. */
interface Owner {
  pipeline: string;
  source: string | null;
}

const OWNER_KEY = 'owner';

/** A run refused because the output folder belongs to another pipeline or source: exit 1, nothing changed. */
export class ForeignOutputError extends CliError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.failed });
    this.name = 'ForeignOutputError';
  }
}

function refusal(p: Pipeline, owner: Owner, source: string): ForeignOutputError {
  const theirs = owner.source === null ? `pipeline "${owner.pipeline}", whose runs its store.duckdb records` : `pipeline "${owner.pipeline}" (source: ${owner.source}), as its store.duckdb records`;
  const ours = `pipeline "${p.config.id}" of ${p.file} (source: ${source})`;
  const what =
    owner.pipeline === p.config.id
      ? `if the source moved or its paths changed on purpose, run "zhengce run --adopt ${p.file}" once to record the new one; if it is another source, give it another id and publish.dir`
      : `set publish.dir in ${p.file} to a folder of its own (e.g. output/${p.config.id}); to hand this folder and its releases over to "${p.config.id}" instead, run "zhengce run --adopt ${p.file}"`;
  return new ForeignOutputError(`${p.outputDir} belongs to ${theirs}; ${ours} was refused and nothing was changed: ${what}`);
}

/**
 * Checks that the output folder belongs to this pipeline and source, recording them at the first run
 * (a store made before the record existed is adopted, unless its runs name another pipeline). Throws
 * ForeignOutputError, having written nothing, when they differ; `adopt` records the new owner instead.
 */
export async function claimOutput(store: Store, p: Pipeline, o: { adopt: boolean; logger: Logger }): Promise<void> {
  const current: Owner = { pipeline: p.config.id, source: await canonicalSource(p.config.source, { cwd: p.cwd }) };
  const text = await store.getMeta(OWNER_KEY);
  const recorded: Owner | null = text === null ? null : (JSON.parse(text) as Owner);
  if (recorded && recorded.pipeline === current.pipeline && recorded.source === current.source) return;
  const earlier = recorded ?? (await store.firstRunPipeline().then((id): Owner | null => (id === null || id === current.pipeline ? null : { pipeline: id, source: null })));
  if (earlier && !o.adopt) throw refusal(p, earlier, current.source!);
  await store.setMeta(OWNER_KEY, JSON.stringify(current));
  const fields = { stage: 'owner', output: p.outputDir, pipeline_source: current.source };
  if (earlier)
    o.logger.warn(
      { ...fields, previous_owner: earlier },
      `${p.outputDir} now belongs to pipeline "${current.pipeline}" (source: ${current.source}), adopted from pipeline "${earlier.pipeline}"${earlier.source === null ? '' : ` (source: ${earlier.source})`} as --adopt asked`,
    );
  else if (text === null)
    o.logger.info(fields, `${p.outputDir} belongs to pipeline "${current.pipeline}" (source: ${current.source}) from now on: a run of another pipeline or source there is refused`);
}
