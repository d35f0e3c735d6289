/**
 * Loading plug-ins from outside faultline: `--plugin <npm package or path>` and
 * `--cluster <path>` name a module (a file, a folder with a package.json or an index file, or a
 * package installed in a node_modules folder at or above the working directory); its default
 * export (a Plugin, or one SystemDef) joins the registry. Every failure is one UserError line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SystemDef } from './api/cluster.js';
import type { Plugin } from './api/plugin.js';
import { joinPlugin } from './registry.js';
import { UserError } from './user-error.js';

/** A loaded plug-in: its entry file (what test.json stores) and what it added. */
export interface LoadedPlugin {
  entry: string;
  plugin: Plugin;
}

const INDEX_FILES = ['index.js', 'index.mjs', 'index.ts'];

/** Whether a reference names a path rather than a registered system or a (maybe scoped, `@org/name`) npm package. */
export function isPathLike(ref: string): boolean {
  return ref.startsWith('.') || isAbsolute(ref) || (!ref.startsWith('@') && (ref.includes('/') || ref.includes('\\')));
}

/** The entry file of a package folder: `exports` (its `.` entry, import or default), `main`, then an index file. */
function folderEntry(dir: string, ref: string): string {
  const pkgFile = join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    let pkg: { exports?: unknown; main?: unknown };
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
    } catch {
      throw new UserError(`plug-in '${ref}': ${pkgFile} is not valid JSON`);
    }
    const target = exportTarget(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : undefined);
    if (target !== undefined) {
      const file = resolve(dir, target);
      if (!existsSync(file)) throw new UserError(`plug-in '${ref}': its package.json names ${target}, which does not exist (build it first?)`);
      return file;
    }
  }
  const index = INDEX_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!index) throw new UserError(`plug-in '${ref}': ${dir} has no package.json entry and no ${INDEX_FILES.join(' or ')}`);
  return index;
}

/** The file a package.json `exports` field gives for `import '<package>'`, if it says. */
function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  if ('.' in record) return exportTarget(record['.']);
  for (const condition of ['import', 'node', 'default']) {
    const found = exportTarget(record[condition]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The entry file `ref` names, seen from `cwd`. */
export function resolvePlugin(ref: string, cwd: string): string {
  if (ref.trim() === '') throw new UserError('--plugin needs a package name or a path');
  if (isPathLike(ref)) {
    const path = resolve(cwd, ref);
    if (!existsSync(path)) throw new UserError(`plug-in '${ref}': no such file or folder (${path})`);
    return statSync(path).isDirectory() ? folderEntry(path, ref) : path;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ref);
    if (existsSync(candidate)) return folderEntry(candidate, ref);
    if (dirname(dir) === dir) break;
  }
  throw new UserError(`plug-in '${ref}': no npm package of that name in node_modules at or above ${cwd}; install it (npm install ${ref}) or give its path`);
}

/** What a module exports, as a Plugin: its default export, or the module itself when it has none. */
function asPlugin(module: Record<string, unknown>, ref: string): Plugin {
  const value = 'default' in module ? module.default : module;
  if (typeof value !== 'object' || value === null) {
    throw new UserError(`plug-in '${ref}' exports no plug-in: its default export must be a system definition or { systems, workloads, nemeses } (see docs/plugins.md)`);
  }
  if ('launch' in value || 'clients' in value) return { systems: [value as SystemDef] };
  const plugin = value as Plugin;
  if (plugin.systems === undefined && plugin.workloads === undefined && plugin.nemeses === undefined) {
    throw new UserError(`plug-in '${ref}' exports no systems, workloads or nemeses (see docs/plugins.md)`);
  }
  return plugin;
}

const loaded = new Map<string, Plugin>();

/** Load the plug-in `ref` names (from `cwd`) and join it to the registry; a module loaded before is not loaded again. */
export async function loadPlugin(ref: string, cwd = process.cwd()): Promise<LoadedPlugin> {
  const entry = resolvePlugin(ref, cwd);
  const known = loaded.get(entry);
  if (known) return { entry, plugin: known };
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new UserError(`plug-in '${ref}' failed to load (${entry}): ${why}`);
  }
  const plugin = asPlugin(module, ref);
  joinPlugin(plugin, `'${ref}'`);
  loaded.set(entry, plugin);
  return { entry, plugin };
}

/** Load the plug-ins a saved run used (TestSpec.plugins, absolute entry files). */
export async function loadSavedPlugins(entries: readonly string[] | undefined): Promise<void> {
  for (const entry of entries ?? []) {
    if (!existsSync(entry)) throw new UserError(`this run used the plug-in ${entry}, which no longer exists; restore it to check or replay the run`);
    await loadPlugin(entry);
  }
}
