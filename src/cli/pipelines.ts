import { CliError } from '../core/errors.ts';
import { checkDistinctPipelines, listPipelineFiles, loadPipeline, type Pipeline } from '../pipeline/config.ts';

/** The pipelines named on the command line, or every pipelines/*.yaml under cwd when none is; no two may share an id or an output folder. */
export async function loadPipelines(names: string[], cwd: string): Promise<Pipeline[]> {
  const files = names.length ? names : await listPipelineFiles(cwd);
  if (files.length === 0) throw new CliError(`no pipelines/*.yaml in ${cwd}; name a pipeline id or a .yaml file`);
  const pipelines: Pipeline[] = [];
  for (const f of files) pipelines.push(await loadPipeline(f, cwd));
  await checkDistinctPipelines(pipelines);
  return pipelines;
}
