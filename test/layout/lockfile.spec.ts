/**
 * A reproducible install: `npm ci` installs exactly the committed lock on any platform, which it
 * refuses when the lock lacks an optional (per-platform) dependency some locked package names,
 * as a lock written by `npm install` over an old node_modules does. CI installs with `npm ci`
 * and fails on a clone left dirty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };

/** Where node would find `dep` from the package at `path`: its own node_modules, then each parent's. */
function resolves(path: string, dep: string): boolean {
  for (let base = path; ; ) {
    if (lock.packages[base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`]) return true;
    if (!base) return false;
    const up = base.lastIndexOf('/node_modules/');
    base = up >= 0 ? base.slice(0, up) : '';
  }
}

describe('package-lock.json', () => {
  it('is a lockfile npm ci reads (version 3, with the root package)', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(lock.packages['']).toBeDefined();
  });

  /** Every `[path → dep]` of the given kind that the lock cannot resolve. */
  const unresolved = (kind: 'dependencies' | 'optionalDependencies'): string[] =>
    Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry[kind] ?? {})
        .filter((dep) => !resolves(path, dep))
        .map((dep) => `${path || '(root)'} → ${dep}`),
    );

  it('has an entry for every optional dependency of every locked package, whatever the platform', () => {
    expect(unresolved('optionalDependencies')).toEqual([]);
  });

  it('has an entry for every dependency of every locked package', () => {
    expect(unresolved('dependencies')).toEqual([]);
  });
});

describe('CI', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  it('installs with npm ci, never npm install', () => {
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).not.toMatch(/^npm (install|i)\b/m);
  });
  it('fails when the clone is dirty after install and tests', () => {
    expect(ci).toMatch(/git status --porcelain/);
    expect(ci).toMatch(/exit 1/);
  });
});
