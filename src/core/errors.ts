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

/** Exit codes of the zhengce command (DESIGN.md). */
export const EXIT = { ok: 0, failed: 1, partial: 2, busy: 75 } as const;
