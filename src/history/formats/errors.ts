/**
 * The one error the history readers throw, so callers can tell a bad file from a bug, and the
 * shape every reader has.
 */
import type { Op } from '../../api/op.js';
import type { TextSegment } from './source.js';

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

/** What reading a history gives. */
export interface ParsedHistory {
  ops: Op[];
  /** Things the reader passed over, one line each: a torn last line, lines that are not operations. */
  warnings: string[];
}

/** A reader of one format: given the file's text in order, piece by piece, then asked for the result. */
export interface FormatReader {
  push(segment: TextSegment): void;
  finish(): ParsedHistory;
}

/** The error for a line whose bytes are not UTF-8. */
export function notUtf8(file: string, line: number): HistoryFormatError {
  return new HistoryFormatError(file, line, 'not valid UTF-8 text (a history is UTF-8; the file may be damaged or binary)');
}

/** The error for text that is no history format at all; `head` is its first non-blank line. */
export function cannotTell(file: string, line: number, head: string): HistoryFormatError {
  return new HistoryFormatError(
    file,
    line,
    `cannot tell the format: ${JSON.stringify(head.trim().slice(0, 40))} is neither a JSON op, an EDN op map nor a Jepsen log line`,
  );
}

/** A short quote of a line for a message. */
export function quote(text: string): string {
  const t = text.trim();
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}
