import type { Logger } from '../core/effects.ts';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** 128 + signal number: how a shell reports a process ended by that signal. */
const EXIT_CODE = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The first SIGTERM or SIGINT aborts the returned signal: scheduling stops and a run in progress
 * either finishes its publish step or stops before it. A second one exits at once, which is still
 * safe: a release is renamed into place inside the store's transaction, and the next run recovers
 * (taking over the lock this process leaves behind).
 */
export function stopOnSignals(logger: Logger): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: (typeof STOP_SIGNALS)[number]): void => {
    if (controller.signal.aborted) {
      logger.warn({ stage: 'shutdown', signal: name }, `${name} again: exiting at once; the next run cleans up`);
      process.exit(EXIT_CODE[name]);
    }
    logger.warn({ stage: 'shutdown', signal: name }, `${name}: stopping; a run in progress finishes publishing or stops before it (send ${name} again to exit at once)`);
    controller.abort(new Error(`received ${name}`));
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}
