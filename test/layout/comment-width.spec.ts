/**
 * Comment paragraphs are wrapped: no line inside a block comment (` * ...`) is longer than
 * WIDTH characters anywhere in the sources, benchmarks and tests. Paragraphs wrap at about 100
 * columns; the margin leaves room for aligned examples and tables. A line left unwrapped (173
 * characters in workloads/lock.ts) reads badly in every editor and diff.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { sourceFiles } from '../helpers/sources.js';

const DIRS = ['src', 'checkers', 'nemeses', 'workloads', 'clusters', 'bench', 'test'];
const WIDTH = 130;
/** A line of a block comment's body: spaces, a star, then a space or nothing. */
const BODY = /^\s*\*(?: |$)/;

describe('comment width', () => {
  it(`no block-comment line is longer than ${WIDTH} characters`, () => {
    const long: string[] = [];
    for (const file of DIRS.flatMap(sourceFiles)) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (BODY.test(line) && line.length > WIDTH) long.push(`${file}:${i + 1}: ${line.length} characters`);
        });
    }
    expect(long).toEqual([]);
  });
});
