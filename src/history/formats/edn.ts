/**
 * A small EDN reader for the values in Jepsen logs: nil, booleans, numbers, strings, keywords,
 * symbols, vectors, lists, sets and maps. Keywords and symbols become strings without the
 * colon (Jepsen's own JSON convention), vectors, lists and sets become arrays, maps become
 * objects.
 *
 * Why our own: the formats need a few dozen lines of EDN, not a dependency, and the reader must
 * fail with a position rather than a stack overflow on hostile input (nesting is bounded).
 */

/** A syntax error at a character offset. */
export class EdnSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 64;
const DELIM = /[\s,()[\]{}";]/;

/** Read one EDN value from `text` starting at `start`; returns it and the offset after it. */
export function readEdn(text: string, start = 0): { value: unknown; end: number } {
  return readValue(text, skipWs(text, start), 0);
}

/** Read a whole string as exactly one EDN value (trailing whitespace allowed). */
export function parseEdn(text: string): unknown {
  const { value, end } = readEdn(text);
  const rest = skipWs(text, end);
  if (rest < text.length) throw new EdnSyntaxError(`unexpected ${JSON.stringify(text[rest])} after the value`, rest);
  return value;
}

function skipWs(t: string, i: number): number {
  while (i < t.length) {
    const c = t[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') i++;
    else if (c === ';') {
      while (i < t.length && t[i] !== '\n') i++;
    } else break;
  }
  return i;
}

function readValue(t: string, i: number, depth: number): { value: unknown; end: number } {
  if (i >= t.length) throw new EdnSyntaxError('unexpected end of value', i);
  if (depth > MAX_DEPTH) throw new EdnSyntaxError(`nested deeper than ${MAX_DEPTH}`, i);
  const c = t[i]!;
  if (c === '[' ) return readSeq(t, i + 1, ']', depth);
  if (c === '(') return readSeq(t, i + 1, ')', depth);
  if (c === '#' && t[i + 1] === '{') return readSeq(t, i + 2, '}', depth);
  if (c === '{') {
    const { value, end } = readSeq(t, i + 1, '}', depth);
    const items = value as unknown[];
    if (items.length % 2 !== 0) throw new EdnSyntaxError('a map needs an even number of forms', i);
    const obj: Record<string, unknown> = {};
    for (let k = 0; k < items.length; k += 2) {
      const key = items[k];
      obj[typeof key === 'string' ? key : JSON.stringify(key) ?? String(key)] = items[k + 1];
    }
    return { value: obj, end };
  }
  if (c === '"') return readString(t, i);
  if (c === ']' || c === ')' || c === '}') throw new EdnSyntaxError(`unexpected ${JSON.stringify(c)}`, i);
  let j = i;
  while (j < t.length && !DELIM.test(t[j]!)) j++;
  if (j === i) throw new EdnSyntaxError(`unexpected ${JSON.stringify(c)}`, i);
  return { value: atom(t.slice(i, j), i), end: j };
}

function readSeq(t: string, i: number, close: string, depth: number): { value: unknown[]; end: number } {
  const out: unknown[] = [];
  for (;;) {
    i = skipWs(t, i);
    if (i >= t.length) throw new EdnSyntaxError(`missing ${JSON.stringify(close)}`, i);
    if (t[i] === close) return { value: out, end: i + 1 };
    const { value, end } = readValue(t, i, depth + 1);
    out.push(value);
    i = end;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };

function readString(t: string, i: number): { value: string; end: number } {
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= t.length) throw new EdnSyntaxError('unterminated string', i);
    const c = t[j]!;
    if (c === '"') return { value: out, end: j + 1 };
    if (c === '\\') {
      const e = t[j + 1];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(j + 2, j + 6))) {
        out += String.fromCharCode(parseInt(t.slice(j + 2, j + 6), 16));
        j += 6;
        continue;
      }
      const r = e === undefined ? undefined : ESCAPES[e];
      if (r === undefined) throw new EdnSyntaxError(`bad escape in string`, j);
      out += r;
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
}

function atom(s: string, at: number): unknown {
  if (s === 'nil') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^[+-]?\d+N?$/.test(s)) {
    const n = Number(s.replace(/N$/, ''));
    return Number.isSafeInteger(n) ? n : s.replace(/N$/, '');
  }
  if (/^[+-]?(\d+\.\d*|\d*\.\d+|\d+)([eE][+-]?\d+)?M?$/.test(s)) return Number(s.replace(/M$/, ''));
  if (s.startsWith(':')) {
    if (s.length === 1) throw new EdnSyntaxError('empty keyword', at);
    return s.slice(1);
  }
  if (/^[A-Za-z*+!_?<>=.\/-][^\s]*$/.test(s)) return s;
  throw new EdnSyntaxError(`cannot read ${JSON.stringify(s.slice(0, 40))}`, at);
}
