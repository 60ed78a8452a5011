// Worker-thread entry for WorkerPool: loads the module named in workerData (a TypeScript one through tsx,
// a compiled one of dist/ as it is), says it is ready, and answers each { input } with its handler's
// result, one job after the other (the pool takes the first unanswered job for the running one).
import { parentPort, workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) (await import('tsx/esm/api')).register();
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
