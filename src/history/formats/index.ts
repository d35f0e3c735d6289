/**
 * Read a history file of any supported format into `Op[]`, telling the format from the content.
 *
 * Formats: `jsonl` (faultline's history.jsonl), `edn` (one EDN op map per line, as Porcupine's
 * kv histories) and `jepsen-log` (Jepsen console log lines, as the etcd histories).
 */
import { readFile } from 'node:fs/promises';
import type { Op } from '../../api/op.js';
import { HistoryFormatError, splitLines, type ParsedHistory } from './errors.js';
import { parseEdnKv } from './edn-kv.js';
import { JEPSEN_LINE, parseJepsenLog } from './jepsen-log.js';
import { parseJsonl } from './jsonl.js';

export { HistoryFormatError, type ParsedHistory } from './errors.js';
export { parseJsonl } from './jsonl.js';
export { parseJepsenLog } from './jepsen-log.js';
export { parseEdnKv } from './edn-kv.js';

/** The format names `detectFormat` returns. */
export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log';

/**
 * Tell the format from the text: the first non-blank line opening a JSON object means `jsonl`,
 * one opening an EDN map (`{:`) means `edn`; otherwise any Jepsen op line makes it `jepsen-log`.
 * Returns undefined for empty text; throws `HistoryFormatError` when nothing fits.
 */
export function detectFormat(text: string, file = '<text>'): HistoryFormat | undefined {
  const lines = splitLines(text);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return undefined;
  const head = lines[first]!.trim();
  if (/^\{\s*"/.test(head) || head === '{}' ) return 'jsonl';
  if (/^\{\s*:/.test(head)) return 'edn';
  if (lines.some((l) => JEPSEN_LINE.test(l))) return 'jepsen-log';
  throw new HistoryFormatError(
    file,
    first + 1,
    `cannot tell the format: ${JSON.stringify(head.slice(0, 40))} is neither a JSON op, an EDN op map nor a Jepsen log line`,
  );
}

/** Parse text in the given (or detected) format. */
export function parseHistory(text: string, file = '<text>', format?: HistoryFormat): ParsedHistory & { format: string } {
  const fmt = format ?? detectFormat(text, file);
  switch (fmt) {
    case undefined:
      return { ops: [], format: 'empty', warnings: [`${file}: empty history`] };
    case 'jsonl':
      return { ...parseJsonl(text, file), format: fmt };
    case 'edn':
      return { ...parseEdnKv(text, file), format: fmt };
    case 'jepsen-log':
      return { ...parseJepsenLog(text, file), format: fmt };
  }
}

/**
 * Read a history file, detecting its format from the content. Every failure, unreadable file
 * included, is a `HistoryFormatError` naming the file (and the line, when there is one).
 * Bytes that are not UTF-8 are an error on the line that holds them, except on the last line,
 * which a crash may have torn in the middle of a character (the parsers then judge it).
 */
export async function readHistoryFile(path: string): Promise<{ ops: Op[]; format: string; warnings: string[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HistoryFormatError(path, undefined, `cannot read the file${code ? ` (${code})` : ''}`);
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) checkUtf8(bytes, path);
  return parseHistory(text, path);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Throw for the first line, other than the last non-blank one, that is not valid UTF-8. */
function checkUtf8(bytes: Buffer, file: string): void {
  const lines: Buffer[] = [];
  for (let start = 0; start <= bytes.length; ) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl;
    lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.toString('latin1').trim() === '') last--;
  for (let i = 0; i < last; i++) {
    try {
      strictUtf8.decode(lines[i]);
    } catch {
      throw new HistoryFormatError(file, i + 1, 'not valid UTF-8 text (a history is UTF-8; the file may be damaged or binary)');
    }
  }
}
