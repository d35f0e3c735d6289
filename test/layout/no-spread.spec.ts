/**
 * No array is spread into the arguments of Math.min, Math.max, push, unshift or
 * String.fromCharCode anywhere: each argument takes stack space, so a large array (a long
 * schedule's fault bands, a big history) overflows it ("Maximum call stack size exceeded").
 * Loops and reduce do the same with no limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { sourceFiles } from '../helpers/sources.js';

const DIRS = ['src', 'checkers', 'nemeses', 'workloads', 'clusters', 'bench', 'test'];
const CALLEES = /(?:\bMath\.(?:min|max)|\.push|\.unshift|\bString\.fromCharCode)\(/g;

/** Whether the argument list starting at `open` (just after the parenthesis) has a top-level `...` argument. */
export function spreadsArgument(text: string, open: number): boolean {
  let depth = 0;
  let argStart = true;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return false;
      i = close;
      argStart = false;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (depth === 0 && argStart && text.startsWith('...', i)) return true;
    argStart = false;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return false;
      depth--;
    } else if (c === ',' && depth === 0) argStart = true;
  }
  return false;
}

describe('no spread of arrays into call arguments', () => {
  it('finds the pattern it looks for', () => {
    const bad = 'Math.min(...xs)';
    expect(spreadsArgument(bad, bad.indexOf('(') + 1)).toBe(true);
    const also = 'out.push(a, ...rest)';
    expect(spreadsArgument(also, also.indexOf('(') + 1)).toBe(true);
    const fine = 'out.push({ ...base, x: 1 }, [...xs])';
    expect(spreadsArgument(fine, fine.indexOf('(') + 1)).toBe(false);
  });

  it('holds for every source, benchmark and test file', () => {
    const found: string[] = [];
    // (This file's own examples are the pattern on purpose.)
    for (const file of DIRS.flatMap(sourceFiles).filter((f) => f !== 'test/layout/no-spread.spec.ts')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(CALLEES)) {
        if (spreadsArgument(text, m.index! + m[0].length)) found.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${m[0]}...`);
      }
    }
    expect(found).toEqual([]);
  });
});
