/**
 * Read a history file of any supported format into `Op[]`, telling the format from the content,
 * streaming the file so that its size is no limit.
 *
 * Formats: `jsonl` (faultline's history.jsonl), `edn` (Jepsen, Knossos and Porcupine histories in
 * EDN: op maps one per line, or one vector or list of them over many lines) and `jepsen-log`
 * (Jepsen console log lines, as the etcd histories).
 */
import type { Op } from '../../api/op.js';
import { HistoryFormatError, type FormatReader, type ParsedHistory } from './errors.js';
import { ednHistoryReader } from './edn-history.js';
import { jepsenLogReader } from './jepsen-log.js';
import { jsonlReader } from './jsonl.js';
import { CHUNK_BYTES, fileSegments, readText, type TextSegment } from './source.js';

export { HistoryFormatError, type ParsedHistory } from './errors.js';
export { parseJsonl } from './jsonl.js';
export { parseJepsenLog } from './jepsen-log.js';
export { parseEdnHistory } from './edn-history.js';

/** The format names `detectFormat` returns. */
export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log';

/** Text enough to tell the format by. */
const HEAD_CHARS = 256;

/**
 * Tell the format from the start of the text: a JSON object (`{"`) means `jsonl`; an EDN map,
 * vector, list, tagged value or comment means `edn`; anything else may be a Jepsen log, whose
 * reader then refuses text without a single operation line. Undefined for blank text.
 */
export function detectFormat(text: string, file = '<text>'): HistoryFormat | undefined {
  const head = text.trimStart().slice(0, HEAD_CHARS);
  if (head === '') return undefined;
  if (/^\{\s*("|\})/.test(head)) return 'jsonl';
  if (/^\[\s*\{\s*"/.test(head)) {
    throw new HistoryFormatError(file, undefined, 'a JSON array is not a history format faultline reads: write one JSON object per line (JSONL)');
  }
  if (/^[{[(#;]/.test(head)) return 'edn';
  return 'jepsen-log';
}

function readerFor(format: HistoryFormat, file: string, guessed: boolean): FormatReader {
  switch (format) {
    case 'jsonl':
      return jsonlReader(file);
    case 'edn':
      return ednHistoryReader(file);
    case 'jepsen-log':
      return jepsenLogReader(file, guessed);
  }
}

/** What reading a history gives, and the format it was in (`empty` for a blank file). */
export interface ReadHistory extends ParsedHistory {
  format: HistoryFormat | 'empty';
}

/**
 * Tells the format from the first text that says it, then hands everything to that format's
 * reader; text before that point is held back (it is blank, or at most a few pieces).
 */
class DetectingReader {
  private reader: FormatReader | undefined;
  private format: HistoryFormat | undefined;
  private held: TextSegment[] = [];
  private heldText = '';

  constructor(
    private readonly file: string,
    private readonly given?: HistoryFormat,
  ) {
    if (given) this.start(given, false);
  }

  push(segment: TextSegment): void {
    if (this.reader) return this.reader.push(segment);
    this.held.push(segment);
    this.heldText += this.heldText === '' ? segment.text.trimStart() : segment.text;
    if (this.heldText.length >= HEAD_CHARS) this.decide();
  }

  finish(): ReadHistory {
    if (!this.reader) this.decide();
    if (!this.reader || !this.format) return { ops: [], format: 'empty', warnings: [`${this.file}: empty history`] };
    return { ...this.reader.finish(), format: this.format };
  }

  private decide(): void {
    const format = detectFormat(this.heldText, this.file);
    if (format) this.start(format, true);
  }

  private start(format: HistoryFormat, guessed: boolean): void {
    this.format = format;
    this.reader = readerFor(format, this.file, guessed && !this.given);
    for (const segment of this.held) this.reader.push(segment);
    this.held = [];
    this.heldText = '';
  }
}

/** Parse text in the given (or detected) format. */
export function parseHistory(text: string, file = '<text>', format?: HistoryFormat): ReadHistory {
  return readText(new DetectingReader(file, format), text) as ReadHistory;
}

/** Options of {@link readHistoryFile}. */
export interface ReadOptions {
  /** Bytes read at a time; tests make it tiny to exercise the streaming. */
  chunkBytes?: number;
  /** A line held back longer than this goes on in pieces. */
  longLineBytes?: number;
}

/**
 * Read a history file, detecting its format from the content. Every failure, unreadable file
 * included, is a `HistoryFormatError` naming the file (and the line, when there is one). Bytes
 * that are not UTF-8 are an error on the line that holds them, except on the last line, which a
 * crash may have torn in the middle of a character (the reader then judges it).
 */
export async function readHistoryFile(path: string, opts: ReadOptions = {}): Promise<{ ops: Op[]; format: string; warnings: string[] }> {
  const reader = new DetectingReader(path);
  try {
    for await (const segment of fileSegments(path, opts.chunkBytes ?? CHUNK_BYTES, opts.longLineBytes)) reader.push(segment);
  } catch (e) {
    if (e instanceof HistoryFormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new HistoryFormatError(path, undefined, `cannot read the file (${code})`);
  }
  return reader.finish();
}
