/** An error that ends a command: its message is for the user, exitCode for the shell. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}

export type PostStage = 'fetch' | 'decode' | 'parse' | 'extract';

/** One post that could not be processed; the run goes on without it. */
export class PostError extends Error {
  readonly stage: PostStage;
  readonly sourceId: string;
  constructor(stage: PostStage, sourceId: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PostError';
    this.stage = stage;
    this.sourceId = sourceId;
  }
}

/** Exit codes of the zhengce command (README, Commands). */
export const EXIT = { ok: 0, failed: 1, partial: 2, busy: 75 } as const;

/** What a file-system error means to an operator and what to do; `text` is its strerror, as DuckDB's messages spell it. */
const FILE_ERRORS: Record<string, { text: string; cause: string; advice: string }> = {
  ENOSPC: { text: 'No space left on device', cause: 'the disk is full', advice: 'free space on that disk (or point the output folder at a larger one) and run again' },
  EDQUOT: { text: 'Disk quota exceeded', cause: 'the disk quota is used up', advice: 'free space or raise the quota and run again' },
  EACCES: { text: 'Permission denied', cause: 'permission denied', advice: 'give the user running zhengce write access there, or choose another output folder' },
  EPERM: { text: 'Operation not permitted', cause: 'operation not permitted', advice: 'give the user running zhengce write access there, or choose another output folder' },
  EROFS: { text: 'Read-only file system', cause: 'the file system is read-only', advice: 'mount it read-write or choose another output folder' },
  ENOTDIR: { text: 'Not a directory', cause: 'a part of the path is a file, not a folder', advice: 'move that file away or choose another output folder' },
  EISDIR: { text: 'Is a directory', cause: 'a folder stands where a file is written', advice: 'move that folder away and run again' },
};

/**
 * A file-system failure (Node's, or DuckDB's IO Error) as an error for the user: the path, the cause in
 * words and what to do. `path`, when the caller knows the file, names it (a write to an open file names
 * none, a rename names its temporary source); else the error's own path. Null for any other error.
 */
export function fileSystemError(err: unknown, path?: string): CliError | null {
  if (!(err instanceof Error)) return null;
  const { code, path: own } = err as NodeJS.ErrnoException;
  const known = code && FILE_ERRORS[code] ? FILE_ERRORS[code] : Object.values(FILE_ERRORS).find((e) => err.message.includes(e.text));
  if (!known) return null;
  const where = path ?? own ?? /file "([^"]+)"/.exec(err.message)?.[1];
  const original = err.message.split('\n')[0];
  return new CliError(`${where ? `${where}: ` : ''}${known.cause} (${original}); ${known.advice}`, { cause: err });
}

/** The source could not be read at all (the upstream is down, a listing failed): nothing was changed, the previous release stands. */
export class SourceUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SourceUnavailableError';
  }
}
