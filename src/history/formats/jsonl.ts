/**
 * faultline's own history.jsonl: one `Op` as JSON per line, in the order it was recorded.
 *
 * Why a tolerant last line: the runner appends as it goes, so a crash can leave the last line
 * half-written. That line is dropped with a warning; a bad line anywhere else means the file is
 * not a history and is an error naming the line (./lines.ts).
 */
import type { Op, OpType } from '../../api/op.js';
import { HistoryFormatError, type FormatReader, type ParsedHistory } from './errors.js';
import { lineReader, type LineRead } from './lines.js';
import { readText } from './source.js';

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info']);

/** A reader of history.jsonl; `index` and `time` are kept as recorded. */
export function jsonlReader(file: string): FormatReader {
  return lineReader(file, (text, line): LineRead => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      return { torn: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    return toOp(v, file, line);
  });
}

/** Parse history.jsonl text held in memory. */
export function parseJsonl(text: string, file = '<text>'): ParsedHistory {
  return readText(jsonlReader(file), text);
}

/** Check one parsed line against the `Op` shape and copy its known fields. */
export function toOp(v: unknown, file: string, line: number): Op {
  const bad = (why: string): HistoryFormatError => new HistoryFormatError(file, line, why);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('expected a JSON object (one op per line)');
  const r = v as Record<string, unknown>;
  const num = (k: string): number => {
    const x = r[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`"${k}" must be a number, got ${JSON.stringify(x) ?? 'nothing'}`);
    return x;
  };
  const index = num('index');
  const time = num('time');
  const type = r['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw bad(`"type" must be invoke, ok, fail or info, got ${JSON.stringify(type) ?? 'nothing'}`);
  }
  const process = r['process'];
  if (!(typeof process === 'number' && Number.isSafeInteger(process)) && process !== 'nemesis') {
    throw bad(`"process" must be an integer or "nemesis", got ${JSON.stringify(process) ?? 'nothing'}`);
  }
  const f = r['f'];
  if (typeof f !== 'string') throw bad(`"f" must be a string, got ${JSON.stringify(f) ?? 'nothing'}`);
  const op: Op = { index, time, type: type as OpType, process, f, value: r['value'] ?? null };
  for (const k of ['key', 'error', 'node'] as const) {
    const x = r[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string') throw bad(`"${k}" must be a string, got ${JSON.stringify(x)}`);
    op[k] = x;
  }
  return op;
}
