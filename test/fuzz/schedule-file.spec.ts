/**
 * Fuzzing schedule files (`faultline test --schedule`): what `writeScheduleFile` writes reads
 * back the same, and any other content, JSON or not, UTF-8 or not, is either a schedule that
 * keeps the reader's promises (sorted, finite, non-negative times; named faults) or a one-line
 * UserError naming the file. The reader parses in slices (src/results/json-file.ts), so a file past
 * V8's largest string reads too: every property here holds for slices of a few bytes, and one
 * soak-sized test (FAULTLINE_HUGE_HISTORY=1) reads a 513 MiB file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readScheduleFile, writeScheduleFile, type ScheduleFile } from '../../src/runner/schedule-file.js';
import { UserError } from '../../src/user-error.js';
import { writePaddedJson } from '../helpers/huge-json.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (): string => join(dir, `s${n++}.json`);

const entry = fc.record(
  { atMs: fc.double({ min: 0, max: 1e9, noNaN: true }), f: fc.string({ minLength: 1, maxLength: 12 }), value: fc.jsonValue({ maxDepth: 2 }) },
  { requiredKeys: ['atMs', 'f'] },
);
const schedule: fc.Arbitrary<ScheduleFile> = fc.record({
  nemeses: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  entries: fc.array(entry, { maxLength: 10 }).map((es) => [...es].sort((a, b) => a.atMs - b.atMs)),
});

/** What reading `file` gives: the schedule, or the error's message. */
function outcome(file: string, sliceBytes?: number): { read: ScheduleFile } | { error: unknown } {
  try {
    return { read: readScheduleFile(file, sliceBytes) };
  } catch (err) {
    return { error: err };
  }
}

/**
 * Read `content` as a schedule file: a schedule keeping its promises, or a one-line UserError;
 * the same when it is parsed in slices of `sliceBytes`.
 */
function readsSafely(content: string | Uint8Array, sliceBytes = 1 + (n % 16)): void {
  const file = path();
  writeFileSync(file, content);
  const whole = outcome(file);
  expect(outcome(file, sliceBytes)).toEqual(whole);
  if ('error' in whole) {
    const err = whole.error;
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).not.toContain('\n');
    return;
  }
  const { read } = whole;
  expect(read.nemeses.every((name) => typeof name === 'string')).toBe(true);
  let last = 0;
  for (const e of read.entries) {
    expect(Number.isFinite(e.atMs) && e.atMs >= last).toBe(true);
    expect(typeof e.f === 'string' && e.f !== '').toBe(true);
    last = e.atMs;
  }
}

describe('fuzz: schedule files', () => {
  it('read back what was written', () => {
    fc.assert(
      fc.property(schedule, (s) => {
        const file = path();
        writeScheduleFile(file, s);
        // JSON has no -0; everything else survives exactly.
        expect(readScheduleFile(file)).toEqual(JSON.parse(JSON.stringify(s)));
      }),
      { numRuns: 200 },
    );
  });

  it('read the same in slices of any size', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 1, max: 64 }), (s, slice) => {
        const file = path();
        writeScheduleFile(file, s);
        expect(readScheduleFile(file, slice)).toEqual(JSON.parse(JSON.stringify(s)));
      }),
      { numRuns: 200 },
    );
  });

  it('skip a byte-order mark, as a text decoder does, and refuse bytes that are not UTF-8', () => {
    const s = { nemeses: ['kill'], entries: [{ atMs: 5, f: 'start-kill', value: 'ü' }] };
    const file = path();
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(s))]));
    expect(readScheduleFile(file, 4)).toEqual(s);
    writeFileSync(file, Buffer.concat([Buffer.from('{"nemeses": ["'), Buffer.from([0xff]), Buffer.from('"], "entries": []}')]));
    expect(() => readScheduleFile(file)).toThrow(/it is not UTF-8 text/);
  });

  // 513 MiB on disk and tens of seconds on two busy cores: with the soak-sized tests only.
  it.skipIf(!process.env.FAULTLINE_HUGE_HISTORY)('read a file past the largest string', () => {
    const file = path();
    const s = { nemeses: ['partition'], entries: [{ atMs: 1000, f: 'start-partition', value: { shape: 'isolate-one', grudge: { n1: ['n2'] } } }] };
    writePaddedJson(file, s);
    try {
      expect(readScheduleFile(file)).toEqual(s);
    } finally {
      rmSync(file);
    }
  }, 300_000);

  it('any JSON value is a schedule keeping its promises or a one-line UserError', () => {
    const near = fc.record({
      nemeses: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
      entries: fc.oneof(
        fc.array(fc.oneof(entry, fc.dictionary(fc.constantFrom('atMs', 'f', 'value'), fc.jsonValue({ maxDepth: 1 }))), { maxLength: 5 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    });
    fc.assert(fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), near), (v) => readsSafely(JSON.stringify(v) ?? '')), { numRuns: 300 });
  });

  it('any bytes are a schedule keeping its promises or a one-line UserError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => readsSafely(bytes)), { numRuns: 200 });
    fc.assert(
      fc.property(schedule, fc.nat(), (s, cut) => {
        const text = JSON.stringify(s);
        readsSafely(text.slice(0, cut % (text.length + 1))); // truncated files
      }),
      { numRuns: 200 },
    );
  });
});
