// Preload (`node --import ./test/helpers/module-log.mjs ...`): appends the URL of every module the
// process loads, ES modules and CommonJS alike, one a line, to the file FAULTLINE_MODULE_LOG names.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.FAULTLINE_MODULE_LOG;
if (log) {
  register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { log } });
  // require() calls (lazyRequire, CommonJS packages) go through the CommonJS loader's cache.
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(log, Object.keys(cache).map((path) => `file://${path}\n`).join('')));
}
