// The shrink loop of `faultline shrink` with a fake runner in place of real test runs: what it
// finds, its budget, refusals, and that what it writes is a schedule `faultline test` replays.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScheduleEntry } from '../../src/api/nemesis.js';
import type { TestSpec } from '../../src/api/test-spec.js';
import { MAX_SHRINK_FAULTS, shrinkPlan, shrinkRun, type Attempt, type AttemptRunner } from '../../src/cli/shrink.js';
import { layOut, planOf, randomPlan, randomSchedule, type FaultSpace } from '../../src/gen/schedule-arbitrary.js';
import { Rng } from '../../src/gen/rng.js';
import { nemeses } from '../../src/registry.js';
import { resolveTest, scheduleFor } from '../../src/runner/resolve.js';
import { nodeNames } from '../../src/runner/node-names.js';
import { readScheduleFile } from '../../src/runner/schedule-file.js';
import { UserError } from '../../src/user-error.js';
import { testSpec } from '../helpers/spec.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const all = Object.values(nemeses);
const space: FaultSpace = { nodes: nodeNames(5), nemeses: all };
const CULPRIT = { target: 'one', nodes: ['n3'] };

/** A recorded schedule of kills, pauses and partitions with one `start-kill n3` among them. */
function recorded(): ScheduleEntry[] {
  const spec = testSpec({ nemeses: ['kill', 'pause', 'partition'], timeLimitS: 60, seed: 11 });
  const schedule = scheduleFor(spec, ['kill', 'pause', 'partition'].map((n) => nemeses[n]!));
  const kills = schedule.filter((e) => e.f === 'start-kill');
  kills[Math.floor(kills.length / 2)]!.value = CULPRIT;
  return schedule;
}

/** A runner under which a schedule fails iff `culprit` holds for one of its entries. */
function fakeRunner(culprit: (e: ScheduleEntry) => boolean): { run: AttemptRunner; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  return {
    attempts,
    run: async (attempt) => {
      attempts.push(attempt);
      return { valid: attempt.schedule.some(culprit) ? false : true };
    },
  };
}

const isCulprit = (e: ScheduleEntry): boolean => e.f === 'start-kill' && JSON.stringify(e.value) === JSON.stringify(CULPRIT);

describe('shrinkPlan', () => {
  it('shrinks a schedule that fails iff it has one fault to exactly that fault, early, short, in a short phase', async () => {
    const original = recorded();
    expect(original.filter((e) => e.f.startsWith('start-')).length).toBeGreaterThan(10);
    const { run, attempts } = fakeRunner(isCulprit);
    const outcome = await shrinkPlan({ start: planOf(original, 60_000), space, startFails: true, run, maxRuns: 1000 });
    expect(outcome.stopped).toBe('minimal');
    expect(outcome.schedule).toEqual([
      { atMs: 0, f: 'start-kill', value: CULPRIT },
      { atMs: 1, f: 'stop-kill' },
    ]);
    expect(outcome.smallest.phaseMs).toBe(1000);
    expect(outcome.runs).toBe(attempts.length);
    // No schedule is run twice.
    expect(new Set(attempts.map((a) => JSON.stringify([a.phaseMs, a.schedule]))).size).toBe(attempts.length);
  });

  it('simplifies a generated schedule\'s values in the nemesis\'s own terms', async () => {
    const spec = { seed: 4, nodes: nodeNames(5), timeLimitS: 60, nemesisIntervalS: 3 };
    const start = randomPlan(spec, all);
    expect(layOut(start, space).some((e) => e.f === 'start-partition')).toBe(true);
    const { run } = fakeRunner((e) => e.f === 'start-partition');
    const outcome = await shrinkPlan({ start, space, startFails: true, run, maxRuns: 1000 });
    expect(outcome.schedule.map((e) => e.f)).toEqual(['start-partition', 'stop-partition']);
    expect(outcome.schedule[0]!.value).toMatchObject({ shape: 'random-halves' });
    expect(outcome.smallest.faults[0]!.draw).toEqual({ tape: Array(32).fill(0) });
  });

  it('runs at most maxRuns attempts and keeps the smallest failing schedule seen', async () => {
    const { run, attempts } = fakeRunner(isCulprit);
    const start = planOf(recorded(), 60_000);
    const outcome = await shrinkPlan({ start, space, startFails: true, run, maxRuns: 3 });
    expect(attempts).toHaveLength(3);
    expect(outcome).toMatchObject({ runs: 3, stopped: 'budget' });
    expect(outcome.schedule.some(isCulprit)).toBe(true);
  });

  it('runs an unproven start first, and stops when it does not fail', async () => {
    const { run, attempts } = fakeRunner(() => false);
    const outcome = await shrinkPlan({ start: planOf(recorded(), 60_000), space, startFails: false, run, maxRuns: 10 });
    expect(outcome).toMatchObject({ stopped: 'start-passed', proven: false });
    expect(attempts.map((a) => a.pass)).toEqual(['start']);
    const interrupted = await shrinkPlan({ start: planOf(recorded(), 60_000), space, startFails: false, run, maxRuns: 10, signal: AbortSignal.abort() });
    expect(interrupted).toMatchObject({ runs: 0, stopped: 'interrupted', proven: false });
  });

  it('counts unknown as not failing, and stops when interrupted', async () => {
    const controller = new AbortController();
    const attempts: Attempt[] = [];
    const run: AttemptRunner = async (attempt) => {
      attempts.push(attempt);
      if (attempts.length === 2) controller.abort();
      return { valid: 'unknown' };
    };
    const start = planOf(recorded(), 60_000);
    const outcome = await shrinkPlan({ start, space, startFails: true, run, maxRuns: 10, signal: controller.signal });
    // No attempt failed: the start is not a schedule this shrink saw fail.
    expect(outcome).toMatchObject({ runs: 2, stopped: 'interrupted', smallest: start, proven: false });
  });
});

/** A run directory with a results.json of `valid`. */
function runDir(valid: boolean | 'unknown', spec: TestSpec, schedule: ScheduleEntry[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-shrink-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid, spec, schedule }));
  return dir;
}

describe('shrinkRun', () => {
  it('refuses a run that did not fail, in one line', async () => {
    const spec = testSpec({ nemeses: ['kill'] });
    for (const valid of [true, 'unknown'] as const) {
      const dir = runDir(valid, spec, recorded());
      const err = await shrinkRun({ runDir: dir, maxRuns: 5 }, { run: fakeRunner(isCulprit).run, log: () => undefined }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/did not fail/);
      expect((err as Error).message).not.toContain('\n');
    }
    const missing = await shrinkRun({ runDir: join(tmpdir(), 'no-such-run'), maxRuns: 5 }, { log: () => undefined }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
  });

  it('writes a schedule file that faultline test replays, and the command that does', async () => {
    const spec = testSpec({ nemeses: ['kill', 'pause', 'partition'], timeLimitS: 60, seed: 11, bugs: ['stale-read'] });
    const dir = runDir(false, spec, recorded());
    const lines: string[] = [];
    const shrunk = await shrinkRun({ runDir: dir, maxRuns: 200 }, { run: fakeRunner(isCulprit).run, log: (l) => lines.push(l) });
    expect(shrunk.file).toBe(join(dir, 'shrunk-schedule.json'));
    const file = readScheduleFile(shrunk.file);
    expect(file).toEqual({ nemeses: ['kill'], entries: shrunk.outcome.schedule });
    expect(shrunk.command).toContain(`--schedule ${shrunk.file}`);
    expect(shrunk.command).toContain('--bug stale-read');
    expect(shrunk.command).toContain(`--time-limit ${shrunk.outcome.smallest.phaseMs / 1000}`);
    expect(shrunk.command).not.toContain('--nemesis');
    expect(lines.some((l) => /^attempt 1 \(faults\): 0 faults/.test(l))).toBe(true);
    // What `faultline test --schedule` does with the file.
    const replay = resolveTest({ ...spec, nemeses: file.nemeses, schedule: file.entries, timeLimitS: shrunk.outcome.smallest.phaseMs / 1000 });
    expect(replay.schedule).toEqual(file.entries);
  });

  it('regenerates a --nemesis random run from its seed, so its values shrink too', async () => {
    const spec = testSpec({ nemeses: ['random'], timeLimitS: 60, seed: 4 });
    const schedule = randomSchedule(spec, all, all);
    const dir = runDir(false, spec, schedule);
    const shrunk = await shrinkRun({ runDir: dir, maxRuns: 500 }, { run: fakeRunner((e) => e.f === 'start-partition').run, log: () => undefined });
    expect(shrunk.outcome.smallest.faults[0]?.draw).toEqual({ tape: Array(32).fill(0) });
  });

  it('reports no schedule when none of its attempts failed: it says it could not reproduce the failure', async () => {
    const spec = testSpec({ nemeses: ['kill', 'pause', 'partition'], timeLimitS: 60, seed: 11 });
    const dir = runDir(false, spec, recorded());
    for (const verdict of [true, 'unknown'] as const) {
      const lines: string[] = [];
      const run: AttemptRunner = async () => ({ valid: verdict });
      const err = await shrinkRun({ runDir: dir, maxRuns: 6 }, { run, log: (l) => lines.push(l) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/^could not reproduce the failure: none of its 6 attempts failed.*more runs \(--max-runs 12\)/);
      expect(lines.join('\n')).not.toMatch(/smallest failing schedule/);
      expect(existsSync(join(dir, 'shrunk-schedule.json'))).toBe(false);
    }
  });

  it('refuses, in one line, a schedule with more faults than it can shrink', async () => {
    const spec = testSpec({ nemeses: ['kill'], timeLimitS: 60 });
    const entries: ScheduleEntry[] = [];
    for (let i = 0; i <= MAX_SHRINK_FAULTS; i++) entries.push({ atMs: 2 * i, f: 'start-kill', value: CULPRIT }, { atMs: 2 * i + 1, f: 'stop-kill' });
    const { run, attempts } = fakeRunner(isCulprit);
    const err = await shrinkRun({ runDir: runDir(false, spec, entries), maxRuns: 5 }, { run, log: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`^the schedule of \\S+ has ${(MAX_SHRINK_FAULTS + 1).toLocaleString('en')} faults; shrink handles up to ${MAX_SHRINK_FAULTS.toLocaleString('en')}: `));
    expect(attempts).toHaveLength(0);
  });

  it('checks the start first when --time-limit changes the main phase', async () => {
    const spec = testSpec({ nemeses: ['kill'], timeLimitS: 60 });
    const schedule = nemeses.kill!.schedule({ nodes: nodeNames(5), durationMs: 60_000, intervalMs: 3000, rng: new Rng(1) });
    const dir = runDir(false, spec, schedule);
    const { run, attempts } = fakeRunner(() => false);
    const err = await shrinkRun({ runDir: dir, maxRuns: 5, timeLimitS: 20 }, { run, log: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.phaseMs).toBe(20_000);
    expect(attempts[0]!.schedule.every((e) => e.atMs < 20_000)).toBe(true);
  });
});
