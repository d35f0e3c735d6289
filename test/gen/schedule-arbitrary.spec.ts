// Generated schedules (--nemesis random) and the shrink spaces of faultline shrink: the laws
// every schedule keeps, values the nemeses accept, reproducibility, and what shrinking means.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext, ScheduleEntry } from '../../src/api/nemesis.js';
import type { Net } from '../../src/api/net.js';
import {
  faultsArbitrary,
  layOut,
  nemesesNamed,
  planOf,
  randomPlan,
  randomSchedule,
  SHRINK_DIMENSIONS,
  shrinkArbitrary,
  type FaultSpace,
  type Plan,
} from '../../src/gen/schedule-arbitrary.js';
import { Rng } from '../../src/gen/rng.js';
import { nemeses } from '../../src/registry.js';
import { resolveTest } from '../../src/runner/resolve.js';
import { nodeNames } from '../../src/runner/node-names.js';
import { UserError } from '../../src/user-error.js';
import { testSpec } from '../helpers/spec.js';

const all = Object.values(nemeses);
const spaceOf = (n: number): FaultSpace => ({ nodes: nodeNames(n), nemeses: all });

const randomSpecs = fc.record({
  seed: fc.nat(),
  nodes: fc.integer({ min: 1, max: 7 }).map(nodeNames),
  timeLimitS: fc.integer({ min: 1, max: 120 }),
  nemesisIntervalS: fc.integer({ min: 1, max: 30 }),
});

/** Sorted, inside the phase, and every start-X followed by its stop-X before the end, one X at a time. */
function expectLaws(schedule: readonly ScheduleEntry[], phaseMs: number): void {
  const open = new Set<string>();
  schedule.forEach((entry, i) => {
    expect(entry.atMs).toBeGreaterThanOrEqual(i === 0 ? 0 : schedule[i - 1]!.atMs);
    expect(entry.atMs).toBeLessThan(phaseMs);
    const [, kind, name] = /^(start|stop)-(.+)$/.exec(entry.f) ?? [];
    expect(nemeses[name ?? '']?.build().fs, entry.f).toContain(entry.f);
    if (kind === 'start') {
      expect(open.has(name!), `${entry.f} while one is in force`).toBe(false);
      open.add(name!);
    } else {
      expect(open.has(name!), `${entry.f} without a start`).toBe(true);
      open.delete(name!);
    }
  });
  expect([...open]).toEqual([]);
}

/** A cluster and net that only record what the nemeses ask of them. */
function fakeContext(nodes: string[]): { ctx: NemesisContext; calls: string[] } {
  const calls: string[] = [];
  const down = new Set<string>();
  const record = (what: string) => async (node?: unknown, arg?: unknown) => void calls.push(`${what} ${String(node ?? '')} ${JSON.stringify(arg ?? '')}`);
  const cluster: Cluster = {
    nodes,
    clientAddresses: {},
    start: async (node) => void down.delete(node),
    stop: async (node) => void down.add(node),
    kill: async (node) => void down.add(node),
    pause: record('pause'),
    resume: record('resume'),
    isRunning: (node) => !down.has(node),
    setClockOffset: record('clock'),
    primary: async () => nodes[0],
    logFiles: () => [],
  };
  const net: Net = { kind: 'fake', partition: record('partition'), shape: record('shape'), heal: record('heal') };
  return { ctx: { cluster, net, signal: new AbortController().signal }, calls };
}

/** Play `schedule` on fakes; a value a nemesis refuses throws here. */
async function play(schedule: readonly ScheduleEntry[], nodes: string[]): Promise<void> {
  const { ctx } = fakeContext(nodes);
  const built = nemesesNamed(schedule).map((name) => nemeses[name]!.build());
  for (const entry of schedule) {
    const nemesis = built.find((n) => n.fs.includes(entry.f))!;
    await nemesis.invoke({ f: entry.f, value: entry.value }, ctx);
  }
  for (const nemesis of built) await nemesis.heal(ctx);
}

describe('random schedules', () => {
  it('keep the schedule laws, and every value is one its nemesis accepts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(randomSpecs, async (spec) => {
        const schedule = randomSchedule(spec, all, all);
        expectLaws(schedule, spec.timeLimitS * 1000);
        expect(JSON.parse(JSON.stringify(schedule))).toEqual(schedule);
        await play(schedule, spec.nodes);
      }),
      { numRuns: 60 },
    );
  }, 180_000); // plays 60 whole schedules: a minute of CPU on a loaded 2-core machine

  it('are the same for the same seed, and differ between seeds', () => {
    fc.assert(
      fc.property(randomSpecs, (spec) => {
        expect(randomSchedule(spec, all, all)).toEqual(randomSchedule(spec, all, all));
      }),
      { numRuns: 30 },
    );
    const spec = { seed: 1, nodes: nodeNames(5), timeLimitS: 60, nemesisIntervalS: 5 };
    expect(randomSchedule(spec, all, all).length).toBeGreaterThan(0);
    expect(randomSchedule(spec, all, all)).not.toEqual(randomSchedule({ ...spec, seed: 2 }, all, all));
  });

  it('draw from every drawable nemesis, and leave out the ones that cannot run', () => {
    const spec = { seed: 7, nodes: nodeNames(5), timeLimitS: 600, nemesisIntervalS: 3 };
    const drawn = nemesesNamed(randomSchedule(spec, all, all)).sort();
    expect(drawn).toEqual(all.filter((d) => d.drawStart).map((d) => d.name).sort());
    expect(drawn).not.toContain('rolling-restart');
    const usable = all.filter((d) => d.name !== 'clock');
    expect(randomSchedule(spec, all, usable)).toEqual(randomSchedule(spec, all, all).filter((e) => !e.f.endsWith('-clock')));
  });

  it('lay out any list of faults lawfully, overlapping ones of one nemesis included (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 600, max: 60_000 }), fc.integer({ min: 100, max: 10_000 }), (n, phaseMs, intervalMs) => {
        const faults = fc.sample(faultsArbitrary(all, phaseMs, intervalMs), 5);
        for (const f of faults) expectLaws(layOut({ phaseMs, faults: f }, spaceOf(n)), phaseMs);
      }),
      { numRuns: 40 },
    );
  });

  it('is what resolveTest plays for --nemesis random, with the nemeses it names in force', () => {
    const spec = testSpec({ nemeses: ['random'], seed: 3, timeLimitS: 30 });
    const test = resolveTest(spec);
    expect(test.schedule).toEqual(randomSchedule(spec, all, all));
    expect(test.nemeses.map((d) => d.name)).toEqual(nemesesNamed(test.schedule));
    expect(() => resolveTest({ ...spec, nemeses: ['random', 'kill'] })).toThrow(UserError);
  });
});

describe('shrink spaces', () => {
  it('a zero tape is each nemesis\'s simplest value', () => {
    const zero = (nemesis: string): Plan => ({ phaseMs: 10_000, faults: [{ nemesis, atMs: 0, forMs: 1000, draw: { tape: [] } }] });
    const value = (nemesis: string): unknown => layOut(zero(nemesis), spaceOf(5))[0]?.value;
    expect(value('kill')).toEqual({ target: 'one', nodes: [expect.any(String)] });
    expect(value('pause')).toEqual({ target: 'one', nodes: [expect.any(String)] });
    expect(value('partition')).toMatchObject({ shape: 'random-halves' });
    expect(Object.values((value('clock') as { offsets: object }).offsets)).toEqual([-200]);
    expect(value('latency')).toMatchObject({ latencyMs: 20, jitterMs: 0 });
    expect(value('loss')).toMatchObject({ loss: 0.05 });
  });

  it('a recorded schedule of any nemesis lays out again exactly as a plan of given values', () => {
    for (const def of all) {
      for (const seed of [1, 2, 3]) {
        const recorded = def.schedule({ nodes: nodeNames(5), durationMs: 60_000, intervalMs: 4000, rng: new Rng(seed) });
        expect(layOut(planOf(recorded, 60_000), spaceOf(5)), def.name).toEqual(recorded);
      }
    }
  });

  it('every pass shrinks a plan it did not generate, and its candidates keep the laws (property)', () => {
    fc.assert(
      fc.property(randomSpecs, fc.boolean(), (spec, given) => {
        const space = spaceOf(spec.nodes.length);
        const generated = randomPlan(spec, all);
        const plan = given ? planOf(layOut(generated, space), generated.phaseMs) : generated;
        for (const pass of SHRINK_DIMENSIONS) {
          const arbitrary = shrinkArbitrary(plan, pass, space);
          expect(arbitrary.canShrinkWithoutContext(plan), pass).toBe(true);
          for (const candidate of arbitrary.shrink(plan, undefined).take(20)) {
            const next = candidate.value_;
            expectLaws(layOut(next, space), next.phaseMs);
            expect(next.phaseMs).toBeLessThanOrEqual(plan.phaseMs);
            expect(next.faults.length).toBeLessThanOrEqual(plan.faults.length);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('faults drops faults, phase shortens the phase but keeps every fault, times only moves earlier and shortens', () => {
    const plan = randomPlan({ seed: 5, nodes: nodeNames(5), timeLimitS: 30, nemesisIntervalS: 3 }, all);
    const space = spaceOf(5);
    const candidates = (pass: (typeof SHRINK_DIMENSIONS)[number]): Plan[] => [...shrinkArbitrary(plan, pass, space).shrink(plan, undefined).take(50)].map((v) => v.value_);
    for (const c of candidates('faults')) for (const f of c.faults) expect(plan.faults).toContain(f);
    for (const c of candidates('phase')) expect(layOut(c, space)).toEqual(layOut(plan, space));
    for (const c of candidates('times')) {
      c.faults.forEach((f, i) => {
        expect(f.atMs).toBeLessThanOrEqual(plan.faults[i]!.atMs);
        expect(f.forMs).toBeLessThanOrEqual(plan.faults[i]!.forMs);
        expect(f.draw).toEqual(plan.faults[i]!.draw);
      });
    }
  });
});
