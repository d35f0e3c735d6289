/**
 * Bundled node programs (TypeScript that ships beside its cluster definition), described
 * independently of where they will run: a script path in faultline's compiled tree, relative to
 * its root (`clusters/raft-kv/node.js`). A host backend maps that to a process on its host (see
 * src/api/host.ts); this module also says where the trees are on this machine.
 */
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundledLaunch, NodePlan } from '../api/cluster.js';

/** Whether this process runs the TypeScript sources (through tsx) rather than the compiled `dist/`. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The root bundled scripts are relative to, here: the package root from sources, `dist/` when built. */
export const TREE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package root (where package.json is). */
export const PACKAGE_ROOT = FROM_SOURCE ? TREE_ROOT : join(TREE_ROOT, '..');

/** The compiled tree (`dist/`): what a backend copies into an image or onto a remote host. */
export const COMPILED_ROOT = join(PACKAGE_ROOT, 'dist');

/**
 * Launch the bundled program at `program` (a URL from `new URL('./node.js', import.meta.url)`)
 * with `args`, wherever the node runs.
 * @throws when `program` is not inside faultline's tree.
 */
export function nodeProgram(program: URL, args: string[]): BundledLaunch {
  const path = relative(TREE_ROOT, fileURLToPath(program));
  if (path.startsWith('..')) throw new Error(`${fileURLToPath(program)} is not part of faultline's tree (${TREE_ROOT})`);
  return { script: path.split(sep).join('/').replace(/\.ts$/, '.js'), args };
}

/** Launch a bundled node program that reads its plan with src/node/plan.ts (`--plan <json>`). */
export function planProgram(program: URL, plan: NodePlan): BundledLaunch {
  return nodeProgram(program, ['--plan', JSON.stringify(plan)]);
}
