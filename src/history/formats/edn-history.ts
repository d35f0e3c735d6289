/**
 * Histories in EDN, as Jepsen, Knossos and Porcupine write them: op maps one per line
 * (Porcupine's kv logs, Jepsen's history.edn), one vector or list of op maps spanning many lines
 * (Knossos's data files), maps spread over several lines, Jepsen 0.3's records
 * (`#jepsen.history.Op{...}`), with comments, sets, nested vectors and any EDN value inside.
 * The file streams through ./edn-forms.ts form by form, so its size does not matter.
 *
 * An op keeps its nested value as plain data (`[[:append 1 2] [:r 1 [1 2]]]` becomes
 * `[["append", 1, 2], ["r", 1, [1, 2]]]`), its recorded `:index` and `:time` when it has them
 * (otherwise its position and its line), `:key` and `:error` as strings.
 */
import type { Op, OpType } from '../../api/op.js';
import { EdnSyntaxError, type EdnEnd, type EdnForm } from './edn-forms.js';
import { EdnForms } from './edn-forms.js';
import { ednValue } from './edn.js';
import { HistoryFormatError, notUtf8, type FormatReader, type ParsedHistory } from './errors.js';
import { readText, type TextSegment } from './source.js';

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info']);

/** A reader of EDN histories. A form cut off by the end of the file (a torn write) is dropped with a warning. */
export function ednHistoryReader(file: string): FormatReader {
  const ops: Op[] = [];
  const forms = new EdnForms((form) => {
    ops.push(toOp(form, file, ops.length));
  });
  /** The last line seen whose bytes were not UTF-8: an error once anything follows it. */
  let badLine: number | undefined;
  const syntax = (err: unknown): unknown => (err instanceof EdnSyntaxError ? new HistoryFormatError(file, err.line, err.message) : err);
  return {
    push(segment: TextSegment): void {
      for (const line of [...(badLine === undefined ? [] : [badLine]), ...segment.badUtf8]) {
        if (textAfter(segment, line)) throw notUtf8(file, line);
      }
      badLine = segment.badUtf8.at(-1) ?? badLine;
      try {
        forms.feed(segment.text);
      } catch (err) {
        throw syntax(err);
      }
    },
    finish(): ParsedHistory {
      let end: EdnEnd;
      try {
        end = forms.end();
      } catch (err) {
        throw syntax(err);
      }
      if (end.torn?.lines) throw new HistoryFormatError(file, end.torn.line, `${end.torn.why}: a form left open over several lines is not a torn last line; a bracket may be missing`);
      return { ops, warnings: endWarnings(file, end) };
    },
  };
}

/** Parse EDN history text held in memory. */
export function parseEdnHistory(text: string, file = '<text>'): ParsedHistory {
  return readText(ednHistoryReader(file), text);
}

function endWarnings(file: string, { torn, unclosed }: EdnEnd): string[] {
  const never = unclosed && `the ${unclosed.kind} opened on line ${unclosed.line} is never closed (the file may have been cut short)`;
  if (torn) return [`${file}:${torn.line}: ignored the torn last op (${torn.why})${never ? `; ${never}` : ''}`];
  return never ? [`${file}:${unclosed.line}: ${never}; read the ops before the end`] : [];
}

/** Whether `segment` has anything but whitespace on a line after `line`. */
function textAfter(segment: TextSegment, line: number): boolean {
  let from = 0;
  for (let n = segment.line; n <= line; n++) {
    const nl = segment.text.indexOf('\n', from);
    if (nl < 0) return false;
    from = nl + 1;
  }
  return /[^\s,]/.test(segment.text.slice(from));
}

function toOp(form: EdnForm, file: string, index: number): Op {
  const bad = (why: string): HistoryFormatError => new HistoryFormatError(file, form.line, why);
  let m: unknown;
  try {
    m = ednValue(form.text, form.line);
  } catch (err) {
    throw bad(`cannot read the EDN: ${(err as Error).message}`);
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    throw bad(`expected an op map {:type ..., :process ..., :f ..., :value ...}, got ${describe(m)}`);
  }
  const r = m as Record<string, unknown>;
  const type = r['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) throw bad(`:type must be :invoke, :ok, :fail or :info, got ${describe(type)}`);
  const proc = r['process'];
  if (!(typeof proc === 'number' && Number.isSafeInteger(proc)) && proc !== 'nemesis') {
    throw bad(`:process must be an integer or :nemesis, got ${describe(proc)}`);
  }
  const f = r['f'];
  if (typeof f !== 'string') throw bad(`:f must be a keyword, got ${describe(f)}`);
  const recorded = r['index'];
  const time = r['time'];
  const op: Op = {
    index: typeof recorded === 'number' && Number.isSafeInteger(recorded) && recorded >= 0 ? recorded : index,
    time: typeof time === 'number' && Number.isFinite(time) ? time : form.line,
    type: type as OpType,
    process: proc,
    f,
    value: r['value'] ?? null,
  };
  for (const k of ['key', 'error', 'node'] as const) {
    const x = r[k];
    if (x !== undefined && x !== null) op[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return op;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
