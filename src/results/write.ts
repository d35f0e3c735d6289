/** Whole-file writes for a run's result files: a kill midway leaves the old file (or none), never half. */
import { renameSync, writeFileSync } from 'node:fs';
import { writeJsonFile } from './json-file.js';

/** `value` as indented JSON, written member by member (./json-file.ts): no size limit but the disk's. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeJsonFile(tmp, value);
  renameSync(tmp, path);
}

export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
