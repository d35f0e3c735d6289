/**
 * Porcupine's key-value histories: one EDN map per line,
 * `{:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}`.
 *
 * Why: the kv benchmark (and any Jepsen history saved as EDN, one op per line) comes this way.
 */
import type { Op, OpType } from '../../api/op.js';
import { HistoryFormatError, lastNonBlank, splitLines, type ParsedHistory } from './errors.js';
import { EdnSyntaxError, parseEdn } from './edn.js';

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info']);

/**
 * Parse one EDN op map per non-blank line. `index` counts operations from 0 and `time` is the
 * 1-based line number. Keys other than strings are kept as their JSON text. A torn last line is
 * skipped with a warning; any other bad line is a `HistoryFormatError`.
 */
export function parseEdnKv(text: string, file = '<text>'): ParsedHistory {
  const lines = splitLines(text);
  const last = lastNonBlank(lines);
  const ops: Op[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let m: unknown;
    try {
      m = parseEdn(line);
    } catch (e) {
      const why = e instanceof EdnSyntaxError ? e.message : String(e);
      if (i === last) {
        warnings.push(`${file}:${i + 1}: ignored the torn last line (${why})`);
        continue;
      }
      throw new HistoryFormatError(file, i + 1, `not an EDN map: ${why}`);
    }
    ops.push(toOp(m, file, i + 1, ops.length));
  }
  return { ops, warnings };
}

function toOp(m: unknown, file: string, line: number, index: number): Op {
  const bad = (why: string): HistoryFormatError => new HistoryFormatError(file, line, why);
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw bad('expected an EDN map {:process ..., :type ..., :f ...}');
  const r = m as Record<string, unknown>;
  const type = r['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) throw bad(`:type must be :invoke, :ok, :fail or :info, got ${JSON.stringify(type)}`);
  const proc = r['process'];
  if (!(typeof proc === 'number' && Number.isSafeInteger(proc)) && proc !== 'nemesis') {
    throw bad(`:process must be an integer or :nemesis, got ${JSON.stringify(proc)}`);
  }
  const f = r['f'];
  if (typeof f !== 'string') throw bad(`:f must be a keyword, got ${JSON.stringify(f)}`);
  const op: Op = { index, time: line, type: type as OpType, process: proc, f, value: r['value'] ?? null };
  const key = r['key'];
  if (key !== undefined && key !== null) op.key = typeof key === 'string' ? key : JSON.stringify(key);
  if (typeof r['error'] === 'string') op.error = r['error'];
  return op;
}
