/**
 * Jepsen's console log of operations, as in the etcd and generated-register benchmarks:
 * `INFO  jepsen.util - 3	:invoke	:cas	[4 0]` (logger prefix, process, type, function, value,
 * tab-separated). Lines of any other shape are log noise and are skipped.
 *
 * Why: published Jepsen histories exist mostly in this form; reading them lets faultline check
 * and benchmark against histories with known verdicts.
 */
import type { Op, OpType } from '../../api/op.js';
import { HistoryFormatError, lastNonBlank, splitLines, type ParsedHistory } from './errors.js';
import { EdnSyntaxError, parseEdn } from './edn.js';

/**
 * The shape of an operation line: optional logger prefix ending in " - ", then tab-separated
 * fields. `s`: a value may hold U+2028 / U+2029, which `.` would not match (lines are split on
 * newlines before this applies).
 */
export const JEPSEN_LINE = /^(?:.*?\s-\s+)?(\d+|:nemesis)\t:(invoke|ok|fail|info)\t:([^\s]+)\t(.*)$/s;

/**
 * Parse a Jepsen log. `index` counts operations from 0 and `time` is the 1-based line number
 * (the log has no clock). A keyword value on a `fail` or `info` completion (`:timed-out`)
 * becomes `error`, with `value: null`. A line of the right shape whose value cannot be read
 * is an error, unless it is the last line (a torn write: skipped with a warning).
 */
export function parseJepsenLog(text: string, file = '<text>'): ParsedHistory {
  const lines = splitLines(text);
  const last = lastNonBlank(lines);
  const ops: Op[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = JEPSEN_LINE.exec(lines[i]!);
    if (!m) continue;
    const [, proc, type, f, raw] = m as unknown as [string, string, OpType, string, string];
    const rawValue = raw.trim();
    const process = proc === ':nemesis' ? 'nemesis' : Number(proc);
    if (process !== 'nemesis' && !Number.isSafeInteger(process)) {
      if (i === last) {
        warnings.push(`${file}:${i + 1}: ignored the torn last line (process ${proc} is out of range)`);
        continue;
      }
      throw new HistoryFormatError(file, i + 1, `process ${proc} is out of range`);
    }
    let value: unknown;
    try {
      value = parseEdn(rawValue);
    } catch (e) {
      const why = e instanceof EdnSyntaxError ? e.message : String(e);
      if (i === last) {
        warnings.push(`${file}:${i + 1}: ignored the torn last line (${why})`);
        continue;
      }
      throw new HistoryFormatError(file, i + 1, `cannot read the value ${JSON.stringify(rawValue.slice(0, 60))}: ${why}`);
    }
    const op: Op = {
      index: ops.length,
      time: i + 1,
      type,
      process,
      f,
      value,
    };
    if ((type === 'fail' || type === 'info') && rawValue.startsWith(':') && typeof value === 'string') {
      op.value = null;
      op.error = value;
    }
    ops.push(op);
  }
  return { ops, warnings };
}
