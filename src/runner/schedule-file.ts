/**
 * Schedule files: a fault schedule saved as JSON so a run can be replayed exactly
 * (`faultline test --schedule file.json`). Every run writes its own as `schedule.json`;
 * `faultline shrink` writes the smallest failing one it finds.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { ScheduleEntry } from '../api/nemesis.js';
import { UserError } from '../user-error.js';
import { parseJsonBuffer } from '../results/json-file.js';
import { writeJsonAtomic } from '../results/write.js';

export interface ScheduleFile {
  /** Nemeses that play the entries. */
  nemeses: string[];
  entries: ScheduleEntry[];
}

export function writeScheduleFile(path: string, schedule: ScheduleFile): void {
  writeJsonAtomic(path, schedule);
}

/**
 * The JSON of a schedule file's bytes, parsed in slices of at most `sliceBytes` where it can be
 * cut (../results/json-file.ts), so a file past V8's largest string (512 MiB: a long soak's
 * schedule) reads too. A leading byte-order mark is skipped, as a text decoder does.
 * @throws TypeError when the bytes are not UTF-8, SyntaxError when they are not JSON.
 */
function parseScheduleBytes(bytes: Buffer, sliceBytes?: number): unknown {
  if (!isUtf8(bytes)) throw new TypeError('not UTF-8');
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return parseJsonBuffer(bytes.subarray(bom), sliceBytes);
}

/**
 * Read and validate a schedule file of any size; any defect is a one-line UserError naming the
 * file. `sliceBytes`: the most JSON parsed in one piece (tests make it small).
 */
export function readScheduleFile(path: string, sliceBytes?: number): ScheduleFile {
  let data: unknown;
  try {
    data = parseScheduleBytes(readFileSync(path), sliceBytes);
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : err instanceof TypeError ? 'it is not UTF-8 text' : 'it cannot be read';
    throw new UserError(`schedule file ${path}: ${why}; write it as {"nemeses": [...], "entries": [{"atMs": 1000, "f": "start-partition", "value": ...}]}`);
  }
  const bad = (what: string): never => {
    throw new UserError(`schedule file ${path}: ${what}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('expected a JSON object with "nemeses" and "entries"');
  const { nemeses, entries } = data as Record<string, unknown>;
  if (!Array.isArray(nemeses) || !nemeses.every((n) => typeof n === 'string')) bad('"nemeses" must be a list of nemesis names');
  if (!Array.isArray(entries)) bad('"entries" must be a list');
  let last = 0;
  (entries as unknown[]).forEach((e, i) => {
    if (typeof e !== 'object' || e === null) bad(`entry ${i} is not an object`);
    const { atMs, f } = e as Record<string, unknown>;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0) bad(`entry ${i} needs "atMs", a time in milliseconds ≥ 0`);
    if (typeof f !== 'string' || f === '') bad(`entry ${i} needs "f", the fault operation`);
    if ((atMs as number) < last) bad(`entry ${i} is earlier than the entry before it; sort entries by atMs`);
    last = atMs as number;
  });
  return { nemeses: nemeses as string[], entries: entries as ScheduleEntry[] };
}
