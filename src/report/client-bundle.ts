/**
 * The report page's script and chart library, inlined into report.html so the page needs no
 * network and no build step.
 *
 * Why source text of functions: the page script is written in TypeScript beside the code that
 * renders the page, type-checked with it against the same data types, and unit-tested in Node.
 * Each function is placed in the page as a global declaration under its own name, so calls
 * within one module resolve as written; calls across modules go through the `fl` object every
 * part is given (an import would be rewritten by whatever compiled the module). So the text of
 * each function, whatever compiled it (tsc for dist/, tsx or vitest from source), runs as it is
 * in the browser. `__name` is defined because tsx and vite keep function names by wrapping them
 * in calls to it.
 *
 * The chart library is uPlot (MIT; ~50 KB minified), chosen for being small enough to inline
 * and fast at the sizes reports reach (100 000 points draw in milliseconds); see README.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { drawCycle, drawWindow } from './client/anomaly.js';
import { main } from './client/app.js';
import { mountLogs } from './client/logs.js';
import { mountMessages } from './client/lamport.js';
import { mountOpsTable } from './client/ops-table.js';
import { mountPlots } from './client/plots.js';
import { latencyTable, packLanes, reachOf, throughputTable } from './client/series.js';
import { mountTimeline } from './client/timeline.js';
import type { Client } from './client/types.js';
import { makeUtil } from './client/util.js';

/** Every function of the page script, by the name the others call it through. */
const FUNCTIONS: Omit<Client, 'uPlot' | 'util'> = {
  reachOf,
  packLanes,
  latencyTable,
  throughputTable,
  mountTimeline,
  mountPlots,
  drawWindow,
  drawCycle,
  mountMessages,
  mountLogs,
  mountOpsTable,
  main,
};

/** The id of the script element holding the report's data as JSON. */
export const DATA_ELEMENT_ID = 'report-data';

let script: string | undefined;

/** The page script: declares every function, builds `fl`, and runs `main` on the data in #report-data. */
export function clientScript(): string {
  if (script) return script;
  const parts = ['"use strict";', 'var __name = function (f) { return f; };', makeUtil.toString(), 'var fl = { uPlot: uPlot, util: makeUtil() };'];
  for (const [name, fn] of Object.entries(FUNCTIONS) as [string, (...args: never[]) => unknown][]) {
    if (fn.name !== name) throw new Error(`page script function ${name} is compiled as ${fn.name}`);
    parts.push(fn.toString(), `fl.${name} = ${name};`);
  }
  parts.push(`fl.main(fl, JSON.parse(document.getElementById(${JSON.stringify(DATA_ELEMENT_ID)}).textContent));`);
  script = parts.join('\n');
  return script;
}

let assets: { js: string; css: string } | undefined;

/** uPlot's script and stylesheet, from its package. */
export function chartLibrary(): { js: string; css: string } {
  if (!assets) {
    const require = createRequire(import.meta.url);
    assets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return assets;
}

/** Script text safe inside a `<script>` element: no `</script` can end it early. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** `value` as JSON for a `<script type="application/json">` element (every `<` escaped, which JSON allows). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
