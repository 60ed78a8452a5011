// A run whose source reports nothing new since the last complete run ends here, without opening the store:
// the source is asked as cheaply as it allows (sourceUnchanged), against what that run left in source-state.json.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import type { Logger } from '../core/effects.ts';
import { readJson, writeFileAtomic } from '../core/files.ts';
import { sha256 } from '../core/hash.ts';
import type { RejectRow } from '../core/types.ts';
import { sourceUnchanged } from '../sources/index.ts';
import type { Pipeline } from './config.ts';
import { latestReleaseId } from './status.ts';
import { codeVersion } from './version.ts';

/** What the last complete run left for the next one to compare the source with. */
export interface SourceState {
  code_version: string;
  /** The pipeline file's settings: another filter, format or source is a full run. */
  config_sha256: string;
  /** The newest release when it ended. */
  release_id: string | null;
  /** The source's cursor (dir: the folder's fingerprint; github: root ETag and folder shas; feed: its validators). */
  cursor: string | null;
  /** Posts the source held (the unchanged count of a run that finds nothing new). */
  posts: number;
  /** Posts that could not be processed (they stay so while their bytes stand). */
  rejects: RejectRow[];
  /** store.duckdb as that run left it: a store replaced, restored or removed since means a full run. */
  store: { size: number; mtimeMs: number };
}

const stateFile = (outputDir: string): string => join(outputDir, 'source-state.json');
/** The settings a run's output depends on. */
export const configSha256 = (pipeline: Pipeline): string => sha256(JSON.stringify(pipeline.config));
const storeStat = async (outputDir: string) =>
  stat(join(outputDir, 'store.duckdb')).then(
    (s) => ({ size: s.size, mtimeMs: s.mtimeMs }),
    () => null,
  );

/** Records what a complete run (no post left unfetched) saw, after its store is closed. */
export async function saveSourceState(outputDir: string, state: Omit<SourceState, 'store'>): Promise<void> {
  const store = await storeStat(outputDir);
  if (store) await writeFileAtomic(stateFile(outputDir), `${JSON.stringify({ ...state, store }, null, 2)}\n`);
}

/** The last complete run's state when the source holds nothing new since, else null (the run reads the source). */
export async function nothingNew(pipeline: Pipeline, o: { githubToken: string | null; dispatcher?: Dispatcher; logger: Logger; signal?: AbortSignal }): Promise<SourceState | null> {
  const { outputDir, config } = pipeline;
  const state = await readJson<SourceState>(stateFile(outputDir));
  if (!state || state.config_sha256 !== configSha256(pipeline) || state.code_version !== (await codeVersion()) || state.release_id !== (await latestReleaseId(outputDir))) return null;
  const store = await storeStat(outputDir);
  if (!store || store.size !== state.store?.size || store.mtimeMs !== state.store.mtimeMs) return null;
  if (
    await stat(join(outputDir, 'store.duckdb.wal')).then(
      () => true,
      () => false,
    )
  )
    return null;
  const probe = await sourceUnchanged(config.source, { cwd: pipeline.cwd, githubToken: o.githubToken, dispatcher: o.dispatcher }, state.cursor, o.logger, o.signal);
  if (!probe.unchanged) return null;
  if (probe.cursor !== state.cursor) await writeFileAtomic(stateFile(outputDir), `${JSON.stringify({ ...state, cursor: probe.cursor }, null, 2)}\n`);
  return state;
}
