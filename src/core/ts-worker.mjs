// Worker-thread entry for WorkerPool: loads the TypeScript module named in workerData through tsx
// (whichever way the parent started), says it is ready, and answers each { input } with its handler's
// result, one job after the other (the pool takes the first unanswered job for the running one).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { default: handle } = await import(workerData.module);
let turn = Promise.resolve();
parentPort.on('message', ({ input }) => {
  turn = turn.then(async () => {
    try {
      parentPort.postMessage({ output: await handle(input) });
    } catch (err) {
      parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
});
parentPort.postMessage({ ready: true });
