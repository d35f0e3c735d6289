/**
 * A history file as a stream of decoded text, so no file is ever held whole (V8 cannot make a
 * string past 512 MiB, and a long soak run writes more). The bytes are read in chunks and cut
 * after the last newline of each, so a piece of text never splits a line unless one line is
 * itself longer than `LONG_LINE_BYTES`: then that line goes on in pieces (a Knossos history can
 * be one vector on one line). Lines whose bytes are not UTF-8 are decoded with U+FFFD and named,
 * so a reader can refuse them (or judge them, on the last line, which a crash may have torn in
 * the middle of a character).
 */
import { createReadStream } from 'node:fs';
import type { FormatReader, ParsedHistory } from './errors.js';

/** Decoded text that starts on line `line`; `badUtf8` lists the lines in it that were not UTF-8. */
export interface TextSegment {
  text: string;
  line: number;
  badUtf8: readonly number[];
}

/** Bytes read at a time. */
export const CHUNK_BYTES = 1 << 20;
/** A line held back longer than this is passed on in pieces. */
export const LONG_LINE_BYTES = 1 << 20;

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');
const EMPTY = Buffer.alloc(0);
const BOM = '\uFEFF';

/** The text of `path` in segments; `chunkBytes` is the read size (small in tests of the streaming). */
export async function* fileSegments(path: string, chunkBytes = CHUNK_BYTES, longLineBytes = LONG_LINE_BYTES): AsyncGenerator<TextSegment> {
  let line = 1;
  let first = true;
  /** The unfinished last line of what was read so far. */
  let carry: Buffer = EMPTY;
  /** A line too long to hold back: the bytes of a character split at the end of the last piece, and whether it is bad. */
  let long: { tail: Buffer; bad: boolean } | undefined;

  const out = (text: string, badUtf8: number[]): TextSegment => {
    const segment = { text: first && text.startsWith(BOM) ? text.slice(1) : text, line, badUtf8 };
    first = false;
    return segment;
  };
  /** A piece of a long line; `last` when it ends the line (newline included, or the end of the file). */
  const piece = (bytes: Buffer, last: boolean): TextSegment => {
    const state = long!;
    const data = state.tail.length > 0 ? Buffer.concat([state.tail, bytes]) : bytes;
    const cut = last ? data.length : completeLength(data);
    state.tail = Buffer.from(data.subarray(cut));
    let text: string;
    try {
      text = strict.decode(data.subarray(0, cut));
    } catch {
      state.bad = true;
      text = lenient.decode(data.subarray(0, cut));
    }
    const segment = out(text, state.bad ? [line] : []);
    if (last) {
      line++;
      long = undefined;
    }
    return segment;
  };
  /** Whole lines (the last may lack its newline at the end of the file). */
  const block = (bytes: Buffer): TextSegment => {
    const { text, badUtf8 } = decodeLines(bytes, line);
    const segment = out(text, badUtf8);
    line += countNewlines(bytes);
    return segment;
  };

  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let rest = chunk;
    if (long) {
      const nl = chunk.indexOf(10);
      yield piece(nl < 0 ? chunk : chunk.subarray(0, nl + 1), nl >= 0);
      if (nl < 0) continue;
      rest = chunk.subarray(nl + 1);
    }
    const bytes = carry.length > 0 ? Buffer.concat([carry, rest]) : rest;
    const lastNl = bytes.lastIndexOf(10);
    if (lastNl >= 0) yield block(bytes.subarray(0, lastNl + 1));
    carry = bytes.subarray(lastNl + 1);
    if (carry.length > longLineBytes) {
      long = { tail: EMPTY, bad: false };
      yield piece(carry, false);
      carry = EMPTY;
    }
  }
  if (long) yield piece(EMPTY, true);
  if (carry.length > 0) yield block(carry);
}

/** Read in-memory text (already a string, so already UTF-8) with `reader`. */
export function readText(reader: FormatReader, text: string): ParsedHistory {
  reader.push({ text: text.startsWith(BOM) ? text.slice(1) : text, line: 1, badUtf8: [] });
  return reader.finish();
}

/** Decode whole lines, fast when they are all UTF-8; otherwise line by line, naming the bad ones. */
function decodeLines(bytes: Buffer, line: number): { text: string; badUtf8: number[] } {
  try {
    return { text: strict.decode(bytes), badUtf8: [] };
  } catch {
    // Find the bad lines below.
  }
  const parts: string[] = [];
  const bad: number[] = [];
  for (let start = 0, n = line; start < bytes.length; n++) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    const one = bytes.subarray(start, end);
    try {
      parts.push(strict.decode(one));
    } catch {
      bad.push(n);
      parts.push(lenient.decode(one));
    }
    start = end;
  }
  return { text: parts.join(''), badUtf8: bad };
}

/** The length of `bytes` without a UTF-8 character cut off at its end. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let k = 1; k <= Math.min(4, n); k++) {
    const c = bytes[n - k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const size = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return size > k ? n - k : n;
  }
  return n;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) count++;
  return count;
}
