#!/usr/bin/env node
// Runs the compiled CLI (dist/) in-process, so signals reach it directly; a build older than src/ is
// rebuilt first (a stat per source file), so the command never runs code that differs from its sources.
import { build, isBuildCurrent } from '../scripts/build.js';

if (!isBuildCurrent()) {
  process.stderr.write('zhengce: src/ changed since dist/ was built: rebuilding it (npm run build)\n');
  try {
    await build();
  } catch (err) {
    process.stderr.write(`zhengce: could not rebuild dist/ from src/ (${err.message}); run "npm install" (it builds dist/), then try again\n`);
    process.exit(1);
  }
}
await import('../dist/cli/main.js');
