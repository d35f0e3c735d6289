/**
 * JSON files of any size (src/results/json-file.ts): written member by member as exactly the text
 * of JSON.stringify(value, null, 2), read back in slices with exactly JSON.parse's result and
 * errors; and a results.json past V8's largest string (512 MiB) is written and read, where one
 * JSON.stringify threw "Invalid string length" after the whole run (a schedule of a million
 * entries, stored twice: as run and in the spec). That last test writes 600 MiB, so it runs
 * with the other soak-sized tests only: FAULTLINE_HUGE_HISTORY=1.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonBuffer, writeJsonFile } from '../../src/results/json-file.js';
import { readResultsFile } from '../../src/results/read.js';
import { RESULTS_VERSION, type RunResults } from '../../src/results/schema.js';
import { writeJsonAtomic } from '../../src/results/write.js';
import { fixtureSpec } from '../fixtures/report-run.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-json-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What JSON.parse gives for `text`, or the class of error it throws. */
function parsed(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (err) {
    return { error: (err as Error).constructor.name };
  }
}

describe('JSON files of any size', () => {
  it('writes the text of JSON.stringify(value, null, 2), whatever the value', () => {
    const path = join(dir, 'w.json');
    const values = fc.oneof(
      fc.jsonValue(),
      fc.anything({ withDate: true, withSparseArray: true, withNullPrototype: false, withMap: false, withSet: false, withBigInt: false, withTypedArray: false }),
      // Containers of more than 1000 members, at every depth, go member by member.
      fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1001, maxLength: 1100 }).map((big) => ({ a: { b: big, c: [big] } })),
    );
    fc.assert(
      fc.property(values, (value) => {
        writeJsonFile(path, value);
        expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(value, null, 2) ?? 'null'}\n`);
      }),
      { numRuns: 200 },
    );
  });

  it('reads what JSON.parse reads, and refuses what it refuses, cut into slices of any size', () => {
    const texts = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v, null, fc.sample(fc.constantFrom(0, 1, 2), 1)[0])),
      // Damaged JSON: cut short, a character dropped, or something appended.
      fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v)), fc.nat(), fc.constantFrom('cut', 'drop', ',', ']', '}', ':', ' x', ',]')).map(([t, n, how]) => {
        const at = t.length === 0 ? 0 : n % t.length;
        return how === 'cut' ? t.slice(0, at) : how === 'drop' ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + how + t.slice(at);
      }),
    );
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 64 }), (text, slice) => {
        expect(parsed(() => parseJsonBuffer(Buffer.from(text), slice))).toEqual(parsed(() => JSON.parse(text)));
      }),
      { numRuns: 2000 },
    );
    // A member named __proto__ is an own member, as JSON.parse makes it.
    const proto = parseJsonBuffer(Buffer.from('{"__proto__": {"x": 1}, "y": [1, 2, 3]}'), 4) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'y']);
  });

  // 600 MiB on disk and about a minute on two busy cores: with the soak-sized tests only.
  it.skipIf(!process.env.FAULTLINE_HUGE_HISTORY)('writes and reads back a results.json past the largest string', () => {
    // Ten schedule entries of 60 MiB each: 600 MiB of JSON in few members.
    const big = 'x'.repeat(60 << 20);
    const schedule = Array.from({ length: 10 }, (_, i) => ({ atMs: i, f: 'start-partition', value: { shape: big } }));
    const results: RunResults = {
      version: RESULTS_VERSION,
      faultline: '0.0.0',
      name: 'huge',
      valid: true,
      spec: fixtureSpec('huge'),
      command: 'faultline test',
      startedAt: '2026-12-01T00:00:00.000Z',
      durationS: 1,
      net: 'proxy',
      schedule,
      checkers: {},
      ops: { invoke: 0, ok: 0, fail: 0, info: 0 },
      warnings: [],
      interrupted: false,
    };
    const file = join(dir, 'results.json');
    writeJsonAtomic(file, results);
    expect(statSync(file).size).toBeGreaterThan(2 ** 29);
    const back = readResultsFile(file);
    expect(back.valid).toBe(true);
    expect(back.schedule).toHaveLength(10);
    expect(back.schedule.every((e) => (e.value as { shape: string }).shape === big)).toBe(true);
    rmSync(file);
  }, 120_000);
});
