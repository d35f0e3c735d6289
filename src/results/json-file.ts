/**
 * JSON files too large for one string. V8 caps a string at about 512 MiB (2^29 - 24 UTF-16 units),
 * and a run's results.json carries its fault schedule twice (as run, and in the spec): a schedule
 * of a million entries makes one JSON.stringify throw "Invalid string length" after the whole
 * run. So files are written member by member, each array element and object member on its own,
 * and read back from a Buffer in slices that each fit in a string.
 *
 * The text written is exactly `JSON.stringify(value, null, 2)`, so files stay as they were.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** Characters gathered before a write to the file. */
const FLUSH_CHARS = 1 << 20;

/** Text appended to an open file in large writes. */
class TextSink {
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    for (let done = 0; done < buf.length; ) done += writeSync(this.fd, buf, done);
    this.parts = [];
    this.chars = 0;
  }
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** `value` as JSON.stringify sees it, after its toJSON. */
function jsonValue(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === 'function' ? (toJSON as (k: string) => unknown).call(value, key) : value;
}

/** Members past which a container is written member by member rather than in one piece. */
const MANY_MEMBERS = 1000;

/**
 * Write `value` (already through toJSON) at `depth`, as JSON.stringify(value, null, 2) would.
 * The file's object and its members, and any container of many members, go member by member;
 * anything else is one JSON.stringify, re-indented (its strings hold no raw newline), unless
 * that text would pass the string limit.
 */
function writeValue(sink: TextSink, value: unknown, depth: number): void {
  const indent = '  '.repeat(depth);
  if (typeof value !== 'object' || value === null) {
    sink.write(JSON.stringify(value) ?? 'null');
    return;
  }
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  if (depth > 1 && (keys?.length ?? (value as unknown[]).length) <= MANY_MEMBERS) {
    try {
      const text = JSON.stringify(value, null, 2);
      sink.write(text.replaceAll('\n', `\n${indent}`));
      return;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  const [open, close] = keys === undefined ? '[]' : '{}';
  const inner = `${indent}  `;
  let first = true;
  const member = (label: string, v: unknown): void => {
    sink.write(`${first ? open : ','}\n${inner}${label}`);
    first = false;
    writeValue(sink, v, depth + 1);
  };
  if (keys === undefined) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const v = jsonValue(items[i], String(i));
      member('', omitted(v) ? null : v);
    }
  } else {
    for (const k of keys) {
      const v = jsonValue((value as Record<string, unknown>)[k], k);
      if (!omitted(v)) member(`${JSON.stringify(k)}: `, v);
    }
  }
  if (first) sink.write(`${open}${close}`);
  else sink.write(`\n${indent}${close}`);
}

/** Write `value` to `path` as JSON.stringify(value, null, 2) and a newline, without building that text as one string. */
export function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  try {
    const sink = new TextSink(fd);
    writeValue(sink, jsonValue(value, ''), 0);
    sink.write('\n');
    sink.flush();
  } finally {
    closeSync(fd);
  }
}

/** Bytes of JSON parsed in one piece; a larger container is split into its members. */
const SLICE_BYTES = 64 << 20;

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The first non-space position at or after `i`. */
function skipSpace(buf: Buffer, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/** The closing quote of the string whose opening quote is at `i`, or -1. (indexOf: strings can be megabytes long.) */
function stringEnd(buf: Buffer, i: number): number {
  for (let q = buf.indexOf(0x22, i + 1); q >= 0; q = buf.indexOf(0x22, q + 1)) {
    let escapes = 0;
    while (buf[q - 1 - escapes] === 0x5c) escapes++;
    if (escapes % 2 === 0) return q;
  }
  return -1;
}

/** Where the JSON value starting at `i` ends (one past it). @throws SyntaxError when it does not end. */
function valueEnd(buf: Buffer, i: number): number {
  let depth = 0;
  for (let j = i; j < buf.length; j++) {
    const b = buf[j];
    if (b === 0x22) {
      j = stringEnd(buf, j);
      if (j < 0) break;
      if (depth === 0) return j + 1;
    } else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      depth--;
      if (depth === 0) return j + 1;
      if (depth < 0) return j;
    } else if (depth === 0 && (b === 0x2c || isSpace(b))) return j;
  }
  if (depth === 0) return buf.length;
  throw new SyntaxError('Unexpected end of JSON input');
}

/** Set `key` as JSON.parse does: an own property, even for `__proto__` (an assignment would set the prototype). */
function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * The JSON value in `buf[start, end)`. One JSON.parse when it fits in `sliceBytes`;
 * otherwise a container is cut between its members into runs of members that fit, each run
 * parsed as one container, and a member too large on its own is parsed the same way.
 */
function parseSlice(buf: Buffer, start: number, end: number, sliceBytes: number): unknown {
  start = skipSpace(buf, start);
  const open = buf[start];
  if (end - start <= sliceBytes || (open !== 0x7b && open !== 0x5b)) return JSON.parse(buf.toString('utf8', start, end));
  const array = open === 0x5b;
  const [openText, closeText] = array ? ['[', ']'] : ['{', '}'];
  const close = closeText.charCodeAt(0);
  const out: unknown[] | Record<string, unknown> = array ? [] : {};
  const add = (parsed: unknown): void => {
    if (Array.isArray(out)) for (const item of parsed as unknown[]) out.push(item);
    else for (const [key, value] of Object.entries(parsed as object)) setMember(out, key, value);
  };
  /** The run of whole members not parsed yet. */
  let run: [number, number] | undefined;
  const flush = (): void => {
    if (run) add(JSON.parse(`${openText}${buf.toString('utf8', run[0], run[1])}${closeText}`));
    run = undefined;
  };
  let i = skipSpace(buf, start + 1);
  while (buf[i] !== close) {
    const memberStart = i;
    let valueStart = i;
    if (!array) {
      const keyEnd = valueEnd(buf, i);
      valueStart = skipSpace(buf, keyEnd);
      if (buf[i] !== 0x22 || buf[valueStart] !== 0x3a) throw new SyntaxError(`Expected a property name and ':' at byte ${i}`);
      valueStart = skipSpace(buf, valueStart + 1);
    }
    const memberEnd = valueEnd(buf, valueStart);
    if (memberEnd === valueStart) throw new SyntaxError(`Expected a value at byte ${valueStart}`);
    if (memberEnd - memberStart > sliceBytes) {
      flush();
      const value = parseSlice(buf, valueStart, memberEnd, sliceBytes);
      if (Array.isArray(out)) out.push(value);
      else setMember(out, JSON.parse(buf.toString('utf8', memberStart, valueEnd(buf, memberStart))) as string, value);
    } else {
      if (run && memberEnd - run[0] > sliceBytes) flush();
      run = [run?.[0] ?? memberStart, memberEnd];
    }
    i = skipSpace(buf, memberEnd);
    if (buf[i] === 0x2c && buf[skipSpace(buf, i + 1)] !== close) i = skipSpace(buf, i + 1);
    else if (buf[i] !== close) throw new SyntaxError(`Expected ',' or '${closeText}' at byte ${i}`);
  }
  flush();
  if (skipSpace(buf, i + 1) < end) throw new SyntaxError(`Unexpected text after JSON at byte ${i + 1}`);
  return out;
}

/**
 * The JSON in `buf`, which may be larger than any string, parsed in slices of at most
 * `sliceBytes` where it can be cut. @throws SyntaxError when it is not JSON.
 */
export function parseJsonBuffer(buf: Buffer, sliceBytes = SLICE_BYTES): unknown {
  return parseSlice(buf, 0, buf.length, sliceBytes);
}

/** The JSON in file `path`, which may be larger than any string. @throws the read's error, or SyntaxError. */
export function readJsonFile(path: string): unknown {
  return parseJsonBuffer(readFileSync(path));
}
