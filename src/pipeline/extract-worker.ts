import { parentPort } from 'node:worker_threads';
import type { RawPost } from '../core/types.ts';
import { extractPost } from './extract-job.ts';

parentPort!.on('message', ({ id, raw }: { id: number; raw: RawPost }) => {
  parentPort!.postMessage({ id, result: extractPost(raw) });
});
