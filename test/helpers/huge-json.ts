/**
 * JSON files past V8's largest string (512 MiB), cheap to make: the value's JSON with spaces
 * between its first two members, written a chunk at a time, so nothing in the test holds the
 * file in memory. For the soak-sized tests (FAULTLINE_HUGE_HISTORY=1).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** More bytes than the largest string holds (2^29 - 24 UTF-16 units). */
export const PAST_LARGEST_STRING = (1 << 29) + (1 << 20);

/** Write `value` (an object of at least two members) as JSON with `padBytes` of spaces after its first member. */
export function writePaddedJson(path: string, value: Record<string, unknown>, padBytes = PAST_LARGEST_STRING): void {
  const [first, ...rest] = Object.entries(value);
  if (first === undefined || rest.length === 0) throw new Error('writePaddedJson needs an object of two members or more');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `{${JSON.stringify(first[0])}: ${JSON.stringify(first[1])},`);
    const chunk = Buffer.alloc(Math.min(padBytes, 16 << 20), 0x20);
    for (let left = padBytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    writeSync(fd, `${JSON.stringify(Object.fromEntries(rest)).slice(1)}\n`);
  } finally {
    closeSync(fd);
  }
}
