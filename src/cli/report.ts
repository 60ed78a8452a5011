import { CliError, EXIT } from '../core/errors.ts';
import { escapeControls } from '../core/terminal.ts';

/** How an error that ends a command (or one pipeline of `zhengce run`) is shown on stderr, and its exit code. */
export function errorReport(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  return { message: `unexpected error: ${(err as Error)?.stack ?? err}`, exitCode: EXIT.failed };
}

/** Writes the error to stderr as `zhengce: <message>` and returns its exit code. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const { message, exitCode } = errorReport(err);
  // A message names files, posts and remote values; its own lines (a list of problems, a stack) stay lines.
  stderr.write(`zhengce: ${escapeControls(message, { keepNewlines: true })}\n`);
  return exitCode;
}
