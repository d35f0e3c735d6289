// Source files stay small enough to read in one sitting: the guide's cap of ~400 lines, held
// here for the checker and runner folders (split by concept when they grow).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CAP = 400;
const FOLDERS = ['checkers/linearizable', 'src/runner', 'src/cli'];

describe('source file size', () => {
  for (const folder of FOLDERS) {
    it(`${folder}: every file is at most ${CAP} lines`, () => {
      const long = readdirSync(folder)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => ({ file: join(folder, f), lines: readFileSync(join(folder, f), 'utf8').split('\n').length - 1 }))
        .filter((f) => f.lines > CAP);
      expect(long).toEqual([]);
    });
  }
});
