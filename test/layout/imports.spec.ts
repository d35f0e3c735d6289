/**
 * The module map, enforced: plug-in folders never reach into the runner or the CLI; a system
 * under clusters/ imports only its own folder, the interfaces (src/api) and the node runtime
 * (src/node), never another system; src/api declares types and constants only; nothing below
 * the CLI imports it; nothing but the registry (and the CLI commands that take a model or
 * workload by name) imports the plug-in folders from src/; and the runner and the CLI reach host
 * backends (src/hosts/) only through the registry. Read from the import lines, no dependency
 * needed.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { sourceFiles } from '../helpers/sources.js';

/** Every `from '...'` of a file, resolved to a path relative to the repo root. */
function imports(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)) {
    const target = relative(ROOT, join(ROOT, file, '..', m[3] as string));
    found.push({ target, typeOnly: m[2] !== undefined });
  }
  return found;
}

const PLUGIN_DIRS = ['clusters', 'nemeses', 'workloads', 'checkers'];

describe('module layout', () => {
  it.each(PLUGIN_DIRS)('%s/ never imports src/runner or src/cli', (dir) => {
    const bad = sourceFiles(dir).flatMap((f) => imports(f).filter((i) => /^src\/(runner|cli)\//.test(i.target)).map((i) => `${f} → ${i.target}`));
    expect(bad).toEqual([]);
  });

  it('a system under clusters/ imports only its own folder, src/api and src/node', () => {
    const bad = sourceFiles('clusters').flatMap((f) => {
      const own = f.split('/').slice(0, 2).join('/') + '/';
      const allowed = [own, 'src/api/', 'src/node/'];
      return imports(f).filter((i) => !allowed.some((p) => i.target.startsWith(p))).map((i) => `${f} → ${i.target}`);
    });
    expect(bad).toEqual([]);
  });

  it('src/node, the runtime of bundled nodes, imports no system', () => {
    const bad = sourceFiles('src/node').flatMap((f) => imports(f).filter((i) => i.target.startsWith('clusters/')).map((i) => `${f} → ${i.target}`));
    expect(bad).toEqual([]);
  });

  it('src/api imports only types', () => {
    const bad = sourceFiles('src/api').flatMap((f) => imports(f).filter((i) => !i.typeOnly).map((i) => `${f} → ${i.target}`));
    expect(bad).toEqual([]);
  });

  it('nothing outside src/cli imports src/cli', () => {
    const dirs = ['src', ...PLUGIN_DIRS];
    const bad = dirs
      .flatMap(sourceFiles)
      .filter((f) => !f.startsWith('src/cli/'))
      .flatMap((f) => imports(f).filter((i) => i.target.startsWith('src/cli/')).map((i) => `${f} → ${i.target}`));
    expect(bad).toEqual([]);
  });

  it('only the registry and name-taking CLI commands import plug-in folders from src/', () => {
    const allowed = new Set(['src/registry.ts', 'src/cli/check.ts']);
    const bad = sourceFiles('src')
      .filter((f) => !allowed.has(f))
      .flatMap((f) => imports(f).filter((i) => PLUGIN_DIRS.some((d) => i.target.startsWith(`${d}/`)) && !i.typeOnly).map((i) => `${f} → ${i.target}`));
    expect(bad).toEqual([]);
  });

  it('src/runner and src/cli name no host backend: only the registry maps names to src/hosts/', () => {
    const bad = [...sourceFiles('src/runner'), ...sourceFiles('src/cli')].flatMap((f) =>
      imports(f).filter((i) => i.target.startsWith('src/hosts/') && !i.typeOnly).map((i) => `${f} → ${i.target}`),
    );
    expect(bad).toEqual([]);
  });
});
