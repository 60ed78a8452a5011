import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT } from '../core/errors.ts';
import type { Logger } from '../core/effects.ts';
import { loadPipelines } from './pipelines.ts';
import { serveSite } from '../pipeline/releases.ts';

/** zhengce serve [id] [--port N]: serves output/<id>/ on 127.0.0.1 until SIGINT or SIGTERM. */
export async function serveCommand(args: string[], o: { port?: string; logger: Logger; out: NodeJS.WritableStream }): Promise<number> {
  if (args.length > 1) throw new CliError(`serve takes one pipeline, not ${args.length}: ${args.join(' ')}`);
  const port = o.port === undefined ? 8321 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0–65535), not "${o.port}"`);
  const pipelines = await loadPipelines(args, process.cwd());
  if (pipelines.length > 1) throw new CliError(`several pipelines in pipelines/ (${pipelines.map((p) => p.config.id).join(', ')}); name the one to serve`);
  const { outputDir } = pipelines[0];
  if (!(await stat(join(outputDir, 'latest')).catch(() => null))) throw new CliError(`${outputDir} has no release yet; run "zhengce run ${args[0] ?? pipelines[0].config.id}" first`);
  const site = await serveSite(outputDir, port, o.logger).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(err.code === 'EADDRINUSE' ? `port ${port} is in use on 127.0.0.1; pick another with --port` : `could not serve ${outputDir}: ${err.message}`, { cause: err });
  });
  o.out.write(`serving ${outputDir} at ${site.url} (latest release: ${site.url}latest/); Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await site.close();
  o.logger.debug({ stage: 'serve' }, 'stopped');
  return EXIT.ok;
}
