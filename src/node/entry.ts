/**
 * How to start a node program written in TypeScript that ships beside its cluster definition.
 * Built installs run the compiled `.js`; a source checkout (tests) runs the `.ts` through tsx.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeLaunch, NodePlan } from '../api/cluster.js';

/** Launch `program` (a URL from `new URL('./node.js', import.meta.url)`) with `args`. */
export function nodeProgram(program: URL, args: string[]): NodeLaunch {
  const fromSource = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(program).replace(/\.js$/, fromSource ? '.ts' : '.js');
  const loader = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return { command: process.execPath, args: [...loader, path, ...args] };
}

/** Launch a bundled node program that reads its plan with src/node/plan.ts (`--plan <json>`). */
export function planProgram(program: URL, plan: NodePlan): NodeLaunch {
  return nodeProgram(program, ['--plan', JSON.stringify(plan)]);
}
