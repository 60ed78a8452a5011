// Side effects are passed in, never reached for, so tests can fix the clock and silence logs.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

type LogFn = (fields: Record<string, unknown>, msg?: string) => void;

/** The subset of pino's API the stages use. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };

/** Progress of a long step; the CLI draws bars on a terminal, elsewhere it is a no-op. */
export interface Progress {
  start(stage: string, total: number | null): void;
  tick(stage: string, n?: number): void;
  stop(stage: string): void;
}

export const noProgress: Progress = { start() {}, tick() {}, stop() {} };

/** Where a run can be held or observed: after staging, after the store is updated, once the release's files are written, after the commit, after the rename, after each history/ partition. */
type RunStage = 'staged' | 'applied' | 'written' | 'committed' | 'renamed' | 'history';

/** Awaited at each RunStage, so a test can stop a real run at a known point (the CLI's ZHENGCE_TEST_PAUSE). */
export interface RunHooks {
  at(stage: RunStage): Promise<void>;
}

export const noHooks: RunHooks = { at: async () => {} };
