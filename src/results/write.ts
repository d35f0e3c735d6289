/** Whole-file writes for a run's result files: a kill midway leaves the old file (or none), never half. */
import { renameSync, writeFileSync } from 'node:fs';
import { writeJsonFile } from './json-file.js';

/** Write `path` whole: `write` fills a file beside it, which then takes its place. */
function replaceWhole(path: string, write: (tmp: string) => void): void {
  const tmp = `${path}.tmp`;
  write(tmp);
  renameSync(tmp, path);
}

/** `value` as indented JSON, written member by member (./json-file.ts): no size limit but the disk's. */
export function writeJsonAtomic(path: string, value: unknown): void {
  replaceWhole(path, (tmp) => writeJsonFile(tmp, value));
}

export function writeTextAtomic(path: string, text: string): void {
  replaceWhole(path, (tmp) => writeFileSync(tmp, text));
}
