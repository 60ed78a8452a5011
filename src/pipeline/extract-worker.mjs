// Worker thread entry: loads the TypeScript job through tsx, whatever way the parent process was started.
import { register } from 'tsx/esm/api';
register();
await import('./extract-worker.ts');
