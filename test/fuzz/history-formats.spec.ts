/**
 * Fuzzing the history readers beyond test/history/formats.spec.ts (which feeds them random text
 * and checks they fail only with HistoryFormatError): here every format must give back exactly
 * the operations written in it, a history cut at any byte must read as a prefix of itself (the
 * cut line dropped with one warning), and bytes that are not UTF-8 must be refused on the line
 * that holds them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import { HistoryFormatError, detectFormat, parseEdnHistory, parseJepsenLog, parseJsonl, readHistoryFile } from '../../src/history/formats/index.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Values every format can carry exactly: nil, booleans, integers, strings, vectors of them. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 3 }),
  ),
})).v;

const keyword = fc.constantFrom('read', 'write', 'cas', 'get', 'put', 'append', 'start-partition', 'heal');

/** A well-formed operation; `keyed` adds a key (the Jepsen log has none). */
function opArb(keyed: boolean): fc.Arbitrary<Omit<Op, 'index' | 'time'>> {
  return fc
    .record({
      type: fc.constantFrom<Op['type']>('invoke', 'ok', 'fail', 'info'),
      process: fc.oneof(fc.nat({ max: 1000 }), fc.constant<'nemesis'>('nemesis')),
      f: keyword,
      value,
      key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    })
    .map(({ key, ...op }) => (keyed ? { ...op, key } : op));
}

const history = (keyed: boolean): fc.Arbitrary<Op[]> =>
  fc.array(opArb(keyed), { minLength: 1, maxLength: 20 }).map((ops) => ops.map((op, i) => ({ index: i, time: i * 1000, ...op })));

/** EDN text for a value (strings as JSON strings, which EDN reads the same). */
function edn(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(edn).join(' ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const render = {
  jsonl: (ops: readonly Op[]): string[] => ops.map((op) => JSON.stringify(op)),
  edn: (ops: readonly Op[]): string[] =>
    ops.map((op) => `{:process ${op.process === 'nemesis' ? ':nemesis' : op.process}, :type :${op.type}, :f :${op.f}, :key ${edn(op.key)}, :value ${edn(op.value)}}`),
  'jepsen-log': (ops: readonly Op[]): string[] =>
    ops.map((op) => `INFO  jepsen.util - ${op.process === 'nemesis' ? ':nemesis' : op.process}\t:${op.type}\t:${op.f}\t${edn(op.value)}`),
};
const parse = { jsonl: parseJsonl, edn: parseEdnHistory, 'jepsen-log': parseJepsenLog };
type Format = keyof typeof render;

/** The fields a format keeps (EDN and the Jepsen log number and time ops themselves). */
function comparable(format: Format, ops: readonly Op[]): unknown[] {
  return ops.map(({ index, time, ...rest }) => (format === 'jsonl' ? { index, time, ...rest } : rest));
}

describe.each(['jsonl', 'edn', 'jepsen-log'] as const)('fuzz: %s', (format) => {
  const keyed = format !== 'jepsen-log';

  it('reads back exactly what was written, and is detected as itself', () => {
    fc.assert(
      fc.property(history(keyed), fc.constantFrom('\n', '\r\n'), (ops, eol) => {
        const text = render[format](ops).join(eol) + eol;
        const parsed = parse[format](text, 'h');
        expect(parsed.warnings).toEqual([]);
        expect(comparable(format, parsed.ops)).toEqual(comparable(format, ops));
        expect(detectFormat(text)).toBe(format);
      }),
      // The example: a value holding U+2028, which once made a Jepsen log line read as noise.
      { numRuns: 200, examples: [[[{ index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: '\u2028' }], '\n']] },
    );
  });

  it('a history cut at any byte reads as a prefix of itself, with at most one warning', () => {
    fc.assert(
      fc.property(history(keyed), fc.nat(), (ops, at) => {
        const lines = render[format](ops);
        const text = `${lines.join('\n')}\n`;
        const bytes = Buffer.from(text);
        const cut = at % (bytes.length + 1);
        const prefix = bytes.subarray(0, cut).toString('utf8');
        const parsed = parse[format](prefix, 'h'); // must not throw
        expect(parsed.warnings.length).toBeLessThanOrEqual(1);
        const whole = prefix.split('\n').length - 1; // lines ended by a newline
        const got = comparable(format, parsed.ops);
        const want = comparable(format, ops);
        // Every line before the cut is read exactly; the cut line is dropped, or (only where
        // a shorter value still reads, as `12` cut to `1` in a Jepsen log) read as cut.
        expect(got.slice(0, whole)).toEqual(want.slice(0, whole));
        expect(got.length - whole).toBeLessThanOrEqual(1);
        if (format !== 'jepsen-log' && got.length > whole) expect(got[whole]).toEqual(want[whole]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: streaming', () => {
  /** Each format's text, plus EDN as one vector on one line and as a vector over many lines. */
  const texts: Record<string, (ops: readonly Op[]) => string> = {
    jsonl: (ops) => `${render.jsonl(ops).join('\n')}\n`,
    edn: (ops) => `${render.edn(ops).join('\n')}\n`,
    'jepsen-log': (ops) => `${render['jepsen-log'](ops).join('\n')}\n`,
    'edn vector, one line': (ops) => `[${render.edn(ops).join(' ')}]`,
    'edn list, many lines': (ops) => `(${render.edn(ops).join('\n ; a comment\n ')})\n`,
  };

  it.each(Object.keys(texts))('%s read from a file in chunks of any size gives what the whole text gives', async (name) => {
    const keyed = name !== 'jepsen-log';
    await fc.assert(
      fc.asyncProperty(history(keyed), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.nat(), async (ops, chunkBytes, longLineBytes, cutAt) => {
        const text = texts[name]!(ops);
        // Whole, and cut at any byte (a torn write, possibly inside a UTF-8 character).
        const bytes = Buffer.from(text);
        for (const body of [bytes, bytes.subarray(0, cutAt % (bytes.length + 1))]) {
          const path = join(dir, `s-${Math.random().toString(36).slice(2)}`);
          writeFileSync(path, body);
          const expected = await readHistoryFile(path).then((r) => r, (e: Error) => e.message);
          const streamed = await readHistoryFile(path, { chunkBytes, longLineBytes }).then((r) => r, (e: Error) => e.message);
          expect(streamed).toEqual(expected);
          if (body === bytes) expect(typeof expected === 'string' ? expected : comparable('jsonl', expected.ops.map((o, i) => ({ ...o, index: i, time: 0 })))).toEqual(comparable('jsonl', ops.map((o, i) => ({ ...o, index: i, time: 0 }))));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('fuzz: bytes that are not UTF-8', () => {
  const file = (bytes: Uint8Array): string => {
    const path = join(dir, `h-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(path, bytes);
    return path;
  };

  it('are refused on the line that holds them, unless it is the torn last line', async () => {
    await fc.assert(
      fc.asyncProperty(history(true), fc.nat(), fc.nat(), fc.constantFrom(0x80, 0xc3, 0xff, 0xfe, 0xed), async (ops, lineAt, byteAt, bad) => {
        const lines = render.jsonl(ops).map((l) => Buffer.from(l));
        const n = lineAt % lines.length;
        const line = lines[n]!;
        const at = byteAt % (line.length + 1);
        lines[n] = Buffer.concat([line.subarray(0, at), Buffer.from([bad]), line.subarray(at)]);
        const path = file(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
        const read: Awaited<ReturnType<typeof readHistoryFile>> | Error = await readHistoryFile(path).then(
          (r) => r,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        );
        if (n === lines.length - 1) {
          // The last line is judged by the parser as it reads: torn (dropped with a warning),
          // still an op, or a damaged one (an error naming it).
          if (read instanceof Error) expect(read).toBeInstanceOf(HistoryFormatError);
          else expect(read.ops.length).toBeGreaterThanOrEqual(lines.length - 1);
          return;
        }
        const error = read;
        expect(error).toBeInstanceOf(HistoryFormatError);
        expect((error as HistoryFormatError).line).toBe(n + 1);
        expect((error as Error).message).toMatch(/not valid UTF-8/);
      }),
      { numRuns: 150 },
    );
  });

  it('random bytes fail only with a one-line HistoryFormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const result = await readHistoryFile(file(bytes)).then(
          (r) => r,
          (e: unknown) => e,
        );
        if (result instanceof Error) {
          expect(result).toBeInstanceOf(HistoryFormatError);
          expect(result.message).not.toContain('\n');
        }
      }),
      { numRuns: 200 },
    );
  });
});
