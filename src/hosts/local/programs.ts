/**
 * How the embedded default runs a node program on this machine: a bundled script runs with this
 * very Node.js from this process's own tree (the `.ts` sources through tsx in a source checkout,
 * `dist/` when built), a command runs as it is. Helper processes of the harness (tethers, the
 * per-namespace fault proxies) start the same way.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandLaunch, NodeLaunch } from '../../api/cluster.js';
import { FROM_SOURCE, nodeProgram, TREE_ROOT } from '../../node/entry.js';

/** `launch` as a command to run here. */
export function localCommand(launch: NodeLaunch): CommandLaunch {
  if (!('script' in launch)) return launch;
  const path = join(TREE_ROOT, FROM_SOURCE ? launch.script.replace(/\.js$/, '.ts') : launch.script);
  const loader = FROM_SOURCE ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return { command: process.execPath, args: [...loader, path, ...launch.args], ...(launch.env && { env: launch.env }) };
}

/** The program at `program` (a URL beside the caller, `new URL('./x.js', import.meta.url)`) as a command to run here. */
export function localProgram(program: URL, args: string[]): CommandLaunch {
  return localCommand(nodeProgram(program, args));
}
