/**
 * Clock skew for third-party nodes through libfaketime: the node runs with libfaketime
 * preloaded and reads its offset from its clock file, written in libfaketime's relative format
 * (`+30.5s`, `-0.2s`). Monotonic clocks are left alone: Node's timers stop after a backward
 * jump otherwise. The file is re-read at most once a second (FAKETIME_CACHE_DURATION=1), so a
 * skew takes effect within about a second. Statically linked programs (Go) ignore it.
 */
import { existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../user-error.js';

const LIB = 'libfaketime.so.1';

/** Where libfaketime lives on this machine (`/usr/lib/<arch>/faketime/`, or a plain lib dir). */
export function findLibfaketime(): string | undefined {
  const dirs: string[] = [];
  try {
    for (const arch of readdirSync('/usr/lib')) dirs.push(join('/usr/lib', arch, 'faketime'));
  } catch {
    // No /usr/lib: fall through to the fixed places.
  }
  dirs.push('/usr/lib/faketime', '/usr/local/lib/faketime');
  return dirs.map((dir) => join(dir, LIB)).find((path) => existsSync(path));
}

/** libfaketime on this machine. @throws UserError when it is not installed. */
export function requireLibfaketime(): string {
  const lib = findLibfaketime();
  if (!lib) throw new UserError(`this system skews clocks with libfaketime, which is not installed: apt-get install libfaketime`);
  return lib;
}

/**
 * The environment that makes a node read its time offset from `clockFile` (both as the node sees
 * them: `lib` is where libfaketime is for the node, this machine's by default).
 */
export function faketimeEnv(clockFile: string, preload: string | undefined, lib: string = requireLibfaketime()): Record<string, string> {
  return {
    LD_PRELOAD: preload ? `${lib}:${preload}` : lib,
    FAKETIME_TIMESTAMP_FILE: clockFile,
    FAKETIME_CACHE_DURATION: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** An offset in libfaketime's relative format, to the millisecond: `+30.5s`, `-0.2s`, `+0s`. */
export function faketimeOffset(offsetMs: number): string {
  const ms = Math.round(offsetMs);
  return `${ms < 0 ? '-' : '+'}${Number((Math.abs(ms) / 1000).toFixed(3))}s\n`;
}

/**
 * Set a node's clock offset by rewriting its clock file (here, where the harness runs): whole
 * milliseconds for the bundled clock module, libfaketime's format for `faketime` systems. Written
 * then renamed, so a node re-reading the file never sees it empty (no skew) midway.
 */
export function writeClockFile(file: string, offsetMs: number, clock: 'module' | 'faketime' = 'module'): void {
  const text = clock === 'faketime' ? faketimeOffset(offsetMs) : `${Math.round(offsetMs)}\n`;
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
