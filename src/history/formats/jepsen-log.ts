/**
 * Jepsen's console log of operations, as in the etcd and generated-register benchmarks:
 * `INFO  jepsen.util - 3	:invoke	:cas	[4 0]`: any logger prefix, then the process, the type,
 * the function and the value, as Jepsen's `op->str` prints them, and the error when the op has
 * one. Fields are separated by any whitespace (published logs use tabs or runs of spaces), and
 * the value is read as one EDN form, so `[4 0]` is one field.
 *
 * A line with a process followed by a type (`3 :invoke`, `:nemesis :info`) is an operation: if
 * the rest does not read, that is an error naming the line (or, on the last line, a torn write
 * dropped with a warning), never a line skipped in silence. Other lines are log output; they are
 * skipped and counted in one warning.
 *
 * Why: published Jepsen histories exist mostly in this form; reading them lets faultline check
 * and benchmark against histories with known verdicts.
 */
import type { Op, OpType } from '../../api/op.js';
import { cannotTell, quote, type FormatReader, type ParsedHistory } from './errors.js';
import { ednValue, leadingForms } from './edn.js';
import { lineReader, type LineRead } from './lines.js';
import { readText } from './source.js';

/** Where an operation starts in a line: a process, whitespace, a type keyword. */
export const JEPSEN_OP = /(?:^|\s)(\d+|:nemesis)\s+:(invoke|ok|fail|info)(?=\s|$)/;

/**
 * A reader of Jepsen logs. `index` counts operations from 0 and `time` is the 1-based line number
 * (the log has no clock). A keyword value on a `fail` or `info` completion with no error field
 * (`:timed-out`, as older Jepsen logged it) becomes `error`, with `value: null`. With
 * `mustHaveOps` (the format was only guessed), text without a single operation line is refused.
 */
export function jepsenLogReader(file: string, mustHaveOps = false): FormatReader {
  let first: { line: number; text: string } | undefined;
  let sawOp = false;
  const reader = lineReader(file, (text, line, count) => {
    first ??= { line, text };
    const read = parseLine(text, line, count);
    if (read !== 'skip') sawOp = true;
    return read;
  });
  return {
    push: (segment) => reader.push(segment),
    finish: () => {
      const out = reader.finish();
      if (mustHaveOps && !sawOp && first) throw cannotTell(file, first.line, first.text);
      return out;
    },
  };
}

/** Parse a Jepsen log held in memory. */
export function parseJepsenLog(text: string, file = '<text>'): ParsedHistory {
  return readText(jepsenLogReader(file), text);
}

function parseLine(text: string, line: number, count: number): LineRead {
  const head = JEPSEN_OP.exec(text);
  if (!head) return 'skip';
  const [matched, proc, type] = head as unknown as [string, string, OpType];
  const process = proc === ':nemesis' ? 'nemesis' : Number(proc);
  if (process !== 'nemesis' && !Number.isSafeInteger(process)) return { torn: `process ${proc} is out of range` };
  const rest = text.slice(head.index + matched.length);
  const { forms, end, error } = leadingForms(rest, 2);
  const [fForm, valueForm] = forms;
  if (!fForm) return { torn: error ? `cannot read the function: ${error}` : `no function after :${type}` };
  let f: unknown;
  try {
    f = ednValue(fForm.text);
  } catch (e) {
    return { torn: `cannot read the function ${quote(fForm.text)}: ${(e as Error).message}` };
  }
  if (typeof f !== 'string') return { torn: `the function must be a keyword, not ${quote(fForm.text)}` };
  if (!valueForm) return { torn: error ? `cannot read the value in ${quote(rest)}: ${error}` : `no value after :${f}` };
  let value: unknown;
  try {
    value = ednValue(valueForm.text);
  } catch (e) {
    return { torn: `cannot read the value ${quote(valueForm.text)}: ${(e as Error).message}` };
  }
  const op: Op = { index: count, time: line, type, process, f, value };
  const errorField = rest.slice(end).trim();
  if (errorField !== '') op.error = /^:\S+$/.test(errorField) ? errorField.slice(1) : errorField;
  else if ((type === 'fail' || type === 'info') && valueForm.text.startsWith(':') && typeof value === 'string') {
    op.value = null;
    op.error = value;
  }
  return op;
}
