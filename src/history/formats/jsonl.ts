/**
 * faultline's own history.jsonl: one `Op` as JSON per line, in the order it was recorded.
 *
 * Why a tolerant last line: the runner appends as it goes, so a crash can leave the last line
 * half-written. That line is dropped with a warning; a bad line anywhere else means the file is
 * not a history and is an error naming the line.
 */
import type { Op, OpType } from '../../api/op.js';
import { HistoryFormatError, lastNonBlank, splitLines, type ParsedHistory } from './errors.js';

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info']);

/** Parse history.jsonl text; `index` and `time` are kept as recorded. */
export function parseJsonl(text: string, file = '<text>'): ParsedHistory {
  const lines = splitLines(text);
  const last = lastNonBlank(lines);
  const ops: Op[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      if (i === last) {
        warnings.push(`${file}:${i + 1}: ignored the torn last line (not complete JSON)`);
        continue;
      }
      throw new HistoryFormatError(file, i + 1, `not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    ops.push(toOp(v, file, i + 1));
  }
  return { ops, warnings };
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
