/** Whole-file writes for a run's result files: a kill midway leaves the old file (or none), never half. */
import { renameSync, writeFileSync } from 'node:fs';

export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
