#!/usr/bin/env node
// The faultline command: runs the compiled CLI (npm install / npm ci builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`faultline: not built yet; run 'npm install' or 'npm run build' in ${root}\n`);
  process.exit(2);
}
await import(main.href);
