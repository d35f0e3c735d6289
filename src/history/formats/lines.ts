/**
 * What the line formats (faultline's JSONL, the Jepsen log) share: cutting the text into lines
 * as it streams in, and the rules for lines that do not read.
 *
 * - A line that is not an operation at all (log output) is skipped, and the skipped lines are
 *   counted in one warning naming the first, so nothing is passed over unseen.
 * - A line that should be an operation but does not read is an error naming it, unless it is the
 *   last non-blank line: a crash can tear the last line in the middle, so that one is dropped
 *   with a warning. Which line is last is only known later, so the error waits for the next
 *   non-blank line.
 * - A line whose bytes are not UTF-8 is an error, with the same exception for the last line,
 *   which is then read as decoded (with U+FFFD) and judged like any other.
 */
import type { Op } from '../../api/op.js';
import { HistoryFormatError, notUtf8, quote, type FormatReader, type ParsedHistory } from './errors.js';
import type { TextSegment } from './source.js';

/** The longest line a line format holds: past it, it is not a history line. */
export const MAX_LINE_CHARS = 1 << 28;

/** What a format makes of one non-blank line: an op, a line to skip, or an op that does not read (and why). */
export type LineRead = Op | 'skip' | { torn: string };

/**
 * Read one non-blank line (no line ending); `count` is the number of ops read before it. Throws
 * HistoryFormatError for a defect no torn write explains (a complete line of the wrong shape).
 */
export type LineParser = (text: string, line: number, count: number) => LineRead;

/** What waits for the next non-blank line: the error it becomes then, and what it is at the end. */
interface Pending {
  error: HistoryFormatError;
  /** At the end of the file: a warning, an error after all, or nothing (an op that read). */
  atEnd?: string | HistoryFormatError;
}

export function lineReader(file: string, parse: LineParser): FormatReader {
  const ops: Op[] = [];
  const warnings: string[] = [];
  const bad = new Set<number>();
  let pending: Pending | undefined;
  let skipped = 0;
  let firstSkipped: { line: number; text: string } | undefined;
  let line = 1;
  const carry: string[] = [];
  let carryLength = 0;

  function take(raw: string, n: number): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const notUtf8Here = bad.delete(n);
    if (!/\S/.test(text)) return;
    if (pending) throw pending.error;
    let read: LineRead;
    try {
      read = parse(text, n, ops.length);
    } catch (err) {
      if (!notUtf8Here || !(err instanceof HistoryFormatError)) throw err;
      pending = { error: notUtf8(file, n), atEnd: err };
      return;
    }
    const utf8Error = notUtf8Here ? notUtf8(file, n) : undefined;
    if (read === 'skip') {
      skipped++;
      firstSkipped ??= { line: n, text };
      if (utf8Error) pending = { error: utf8Error };
    } else if ('torn' in read) {
      pending = { error: utf8Error ?? new HistoryFormatError(file, n, read.torn), atEnd: `${file}:${n}: ignored the torn last line (${read.torn})` };
    } else {
      ops.push(read);
      if (utf8Error) pending = { error: utf8Error };
    }
  }

  return {
    push(segment: TextSegment): void {
      for (const n of segment.badUtf8) bad.add(n);
      const t = segment.text;
      let start = 0;
      for (let nl = t.indexOf('\n'); nl >= 0; nl = t.indexOf('\n', start)) {
        const piece = t.slice(start, nl);
        if (carry.length > 0) {
          carry.push(piece);
          const whole = carry.join('');
          carry.length = 0;
          carryLength = 0;
          take(whole, line);
        } else take(piece, line);
        line++;
        start = nl + 1;
      }
      if (start < t.length) {
        carryLength += t.length - start;
        if (carryLength > MAX_LINE_CHARS) throw new HistoryFormatError(file, line, `the line is longer than ${MAX_LINE_CHARS >> 20} Mi characters: not a history line`);
        carry.push(t.slice(start));
      }
    },
    finish(): ParsedHistory {
      if (carry.length > 0) take(carry.join(''), line);
      if (pending?.atEnd instanceof HistoryFormatError) throw pending.atEnd;
      if (typeof pending?.atEnd === 'string') warnings.push(pending.atEnd);
      if (firstSkipped) {
        const lines = skipped === 1 ? '1 line that is not an operation' : `${skipped} lines that are not operations`;
        warnings.push(`${file}: skipped ${lines} (log output?), the first on line ${firstSkipped.line}: ${quote(firstSkipped.text)}`);
      }
      return { ops, warnings };
    },
  };
}
