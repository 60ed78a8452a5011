// Worker-thread entry for WorkerPool: loads the TypeScript module named in workerData through tsx
// (whichever way the parent started) and answers each { id, input } with its handler's result.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { default: handle } = await import(workerData.module);
parentPort.on('message', async ({ id, input }) => {
  try {
    parentPort.postMessage({ id, output: await handle(input) });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
