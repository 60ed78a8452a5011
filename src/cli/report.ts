import { CliError, EXIT, fileSystemError } from '../core/errors.ts';
import { escapeControls } from '../core/terminal.ts';

export interface ReportOptions {
  /** -v: the stack trace (and its cause's) follows the message. */
  verbose?: boolean;
  stderr?: NodeJS.WritableStream;
}

/** How an error that ends a command (or one pipeline of `zhengce run`) is shown on stderr, and its exit code. */
export function errorReport(err: unknown, o: ReportOptions = {}): { message: string; exitCode: number } {
  const known = err instanceof CliError ? err : fileSystemError(err);
  // The stack of what went wrong underneath: a CliError's own stack says only where it was worded.
  const underlying = known ? known.cause : err;
  const stack = o.verbose && underlying instanceof Error ? `\n${underlying.stack}` : '';
  if (known) return { message: `${known.message}${stack}`, exitCode: known.exitCode };
  return { message: `unexpected error: ${(err as Error)?.message ?? err}${o.verbose ? stack : ' (run with -v for the stack trace)'}`, exitCode: EXIT.failed };
}

/** Writes the error to stderr as `zhengce: <message>` and returns its exit code. */
export function reportError(err: unknown, o: ReportOptions = {}): number {
  const { message, exitCode } = errorReport(err, o);
  // A message names files, posts and remote values; its own lines (a list of problems, a stack) stay lines.
  (o.stderr ?? process.stderr).write(`zhengce: ${escapeControls(message, { keepNewlines: true })}\n`);
  return exitCode;
}
