import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HistoryFormatError,
  detectFormat,
  parseEdnHistory,
  parseHistory,
  parseJepsenLog,
  parseJsonl,
  readHistoryFile,
} from '../../src/history/formats/index.js';

const BENCH = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'faultline-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const op = (i: number, extra: object = {}): string =>
  JSON.stringify({ index: i, time: 1000 * i, type: i % 2 === 0 ? 'invoke' : 'ok', process: 0, f: 'write', key: 'k', value: i, ...extra });

describe('jsonl', () => {
  it('reads one op per line and keeps index and time', () => {
    const { ops, warnings } = parseJsonl(`${op(0)}\n${op(1, { node: 'n1' })}\n\n`, 'h.jsonl');
    expect(warnings).toEqual([]);
    expect(ops).toEqual([
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'write', key: 'k', value: 0 },
      { index: 1, time: 1000, type: 'ok', process: 0, f: 'write', key: 'k', value: 1, node: 'n1' },
    ]);
  });

  it('ignores a torn last line with a warning', () => {
    const torn = op(2).slice(0, 20);
    const { ops, warnings } = parseJsonl(`${op(0)}\n${op(1)}\n${torn}`, 'h.jsonl');
    expect(ops).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/h\.jsonl:3: ignored the torn last line/);
  });

  it('rejects a malformed line in the middle, naming the line', () => {
    const e = thrown(() => parseJsonl(`${op(0)}\n{"index": 1,\n${op(2)}\n`, 'h.jsonl'));
    expect(e).toBeInstanceOf(HistoryFormatError);
    expect((e as HistoryFormatError).line).toBe(2);
    expect((e as Error).message).toMatch(/^h\.jsonl:2: not JSON/);
    expect((e as Error).message).not.toContain('\n');
  });

  it('rejects a line that is JSON but not an op', () => {
    const e = thrown(() => parseJsonl(`${op(0)}\n{"index": 1, "time": 1, "type": "done", "process": 0, "f": "x"}\n`, 'h.jsonl'));
    expect((e as Error).message).toMatch(/h\.jsonl:2: "type" must be invoke, ok, fail or info/);
    const p = thrown(() => parseJsonl(`{"index": 0, "time": 1, "type": "ok", "process": "n1", "f": "x"}`, 'h.jsonl'));
    expect((p as Error).message).toMatch(/"process" must be an integer or "nemesis"/);
  });
});

describe('jepsen-log', () => {
  const log = [
    '2017-01-01 INFO  jepsen.core - starting the test',
    'INFO  jepsen.util - 3\t:invoke\t:cas\t[4 0]',
    'INFO  jepsen.util - 3\t:fail\t:cas\t[4 0]',
    'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
    'INFO  jepsen.util - 0\t:ok\t:read\tnil',
    'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    'some other noise',
  ].join('\n');

  it('reads op lines, skips noise and says so, numbers ops and times them by line', () => {
    const { ops, warnings } = parseJepsenLog(log, 'etcd.log');
    expect(warnings).toEqual(['etcd.log: skipped 2 lines that are not operations (log output?), the first on line 1: "2017-01-01 INFO  jepsen.core - starting the test"']);
    expect(ops).toEqual([
      { index: 0, time: 2, type: 'invoke', process: 3, f: 'cas', value: [4, 0] },
      { index: 1, time: 3, type: 'fail', process: 3, f: 'cas', value: [4, 0] },
      { index: 2, time: 4, type: 'info', process: 'nemesis', f: 'start', value: null },
      { index: 3, time: 5, type: 'ok', process: 0, f: 'read', value: null },
      { index: 4, time: 6, type: 'info', process: 2, f: 'write', value: null, error: 'timed-out' },
    ]);
  });

  it('rejects an op line whose value cannot be read', () => {
    const e = thrown(() => parseJepsenLog('INFO  jepsen.util - 3\t:invoke\t:cas\t[4 0\nINFO  jepsen.util - 0\t:ok\t:read\tnil\n', 'x.log'));
    expect(e).toBeInstanceOf(HistoryFormatError);
    expect((e as Error).message).toMatch(/^x\.log:1: cannot read the value/);
  });
});

describe('edn', () => {
  it('reads one op map per line', () => {
    const text = '{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}\n{:process 1, :type :ok, :f :get, :key "9", :value nil}\n';
    const { ops } = parseEdnHistory(text, 'kv.txt');
    expect(ops).toEqual([
      { index: 0, time: 1, type: 'invoke', process: 9, f: 'append', key: '0', value: 'x 9 0 y' },
      { index: 1, time: 2, type: 'ok', process: 1, f: 'get', key: '9', value: null },
    ]);
  });

  it('rejects a map without :type, naming the line', () => {
    const e = thrown(() => parseEdnHistory('{:process 1, :type :ok, :f :get}\n{:process 1, :f :get}\n{:process 1, :type :ok, :f :get}\n', 'kv.txt'));
    expect((e as Error).message).toMatch(/^kv\.txt:2: :type must be/);
  });
});

describe('readHistoryFile', () => {
  it('detects each format from the content', async () => {
    expect((await readHistoryFile(write('a.jsonl', `${op(0)}\n`))).format).toBe('jsonl');
    expect((await readHistoryFile(write('b.txt', '{:process 1, :type :invoke, :f :get, :key "1", :value nil}\n'))).format).toBe('edn');
    expect((await readHistoryFile(write('c.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\n'))).format).toBe('jepsen-log');
    const empty = await readHistoryFile(write('d.jsonl', '\n'));
    expect(empty.ops).toEqual([]);
    expect(empty.warnings[0]).toMatch(/empty/);
  });

  it.skipIf(!existsSync(BENCH))('reads the published histories', async () => {
    const etcd = await readHistoryFile(`${BENCH}porcupine-etcd/etcd_000.log`);
    expect(etcd.format).toBe('jepsen-log');
    expect(etcd.ops.length).toBeGreaterThan(100);
    const kv = await readHistoryFile(`${BENCH}porcupine-kv/c01-ok.txt`);
    expect(kv.format).toBe('edn');
    expect(kv.ops.every((o) => typeof o.key === 'string')).toBe(true);
  });

  it('fails with HistoryFormatError for a missing file or an unknown format', async () => {
    await expect(readHistoryFile(join(dir, 'nope.jsonl'))).rejects.toThrow(HistoryFormatError);
    await expect(readHistoryFile(write('e.txt', 'hello world\n'))).rejects.toThrow(/e\.txt:1: cannot tell the format/);
  });
});

describe('fuzz: parsers fail only with HistoryFormatError', () => {
  const fragments = [
    '{"index":0,"time":0,"type":"invoke","process":0,"f":"read","value":null}',
    '{"index":',
    '{:process 1, :type :ok, :f :get, :key "1", :value "x"}',
    '{:process ',
    'INFO  jepsen.util - 1\t:ok\t:read\t',
    '[1 [2 {:a "b"}]]',
    '#{1 2}',
    '"\\u12',
    ':timed-out',
    '99999999999999999999999',
    '\t',
    '\n',
    '{',
    '}',
    '[',
  ];
  const parsers = [
    (t: string) => parseHistory(t, 'fuzz'),
    (t: string) => parseJsonl(t, 'fuzz'),
    (t: string) => parseJepsenLog(t, 'fuzz'),
    (t: string) => parseEdnHistory(t, 'fuzz'),
  ];
  const onlyFormatErrors = (t: string): void => {
    for (const parse of parsers) {
      try {
        const r = parse(t);
        expect(Array.isArray(r.ops)).toBe(true);
      } catch (e) {
        if (!(e instanceof HistoryFormatError)) throw e;
        expect(e.message).not.toContain('\n');
      }
    }
  };

  it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyFormatErrors), { numRuns: 400 });
  });

  it('random bytes decoded as UTF-8', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyFormatErrors(Buffer.from(b).toString('utf8'))), { numRuns: 300 });
  });

  it('lines spliced from plausible fragments', () => {
    const line = fc.array(fc.constantFrom(...fragments), { maxLength: 4 }).map((xs) => xs.join(''));
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (ls) => onlyFormatErrors(ls.join('\n'))), { numRuns: 500 });
  });

  it('deep nesting', () => {
    onlyFormatErrors(`${'['.repeat(100_000)}`);
    onlyFormatErrors(`INFO  jepsen.util - 1\t:ok\t:read\t${'['.repeat(100_000)}\nINFO  jepsen.util - 1\t:ok\t:read\tnil`);
    onlyFormatErrors(`{"index":${'['.repeat(100_000)}\n{}`);
  });

  it('detectFormat is stable on blank text', () => {
    expect(detectFormat('  \n\n')).toBeUndefined();
  });
});
