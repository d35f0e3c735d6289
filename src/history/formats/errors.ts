/**
 * The one error the history parsers throw, so callers can tell a bad file from a bug, and the
 * small helpers every parser shares.
 */
import type { Op } from '../../api/op.js';

/** A history file that cannot be read as the format it claims: file, line and what is wrong. */
export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';

  constructor(
    /** The file (or a label for in-memory text). */
    readonly file: string,
    /** 1-based line number, when the problem is on one line. */
    readonly line: number | undefined,
    /** What is wrong, in words. */
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${oneLine(reason)}`);
  }
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** What every parser returns. */
export interface ParsedHistory {
  ops: Op[];
  warnings: string[];
}

/** Split text into lines (LF or CRLF), keeping positions 1-based by array index + 1. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Index of the last line that is not blank, or -1. */
export function lastNonBlank(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return i;
  return -1;
}
