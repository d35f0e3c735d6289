import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, clockPrimary, OFFSET_RANGE_MS, type StartClock } from '../../nemeses/clock.js';
import { Rng } from '../../src/gen/rng.js';
import { faketimeOffset, findLibfaketime } from '../../src/hosts/local/faketime.js';
import { FixtureCluster, clockSystem } from '../fixtures/nemesis-cluster.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

/** How close a node's clock must come to the offset we set (local round trip and polling). */
const TOLERANCE_MS = 100;

/** Poll until `node` reads `offsetMs` (within tolerance); the last reading. */
async function reaches(fx: FixtureCluster, node: string, offsetMs: number, withinMs = 2000): Promise<number> {
  const end = Date.now() + withinMs;
  for (;;) {
    const seen = await fx.clockOffset(node);
    if (Math.abs(seen - offsetMs) <= TOLERANCE_MS || Date.now() > end) return seen;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('clock schedule', () => {
  it('keeps the schedule laws with offsets of 0.2 s to 2 min either way, the primary skewed often, both ways', () => {
    expectSeedMatters(clock);
    const primary = { back: 0, forward: 0, windows: 0 };
    checkScheduleLaws(clock, (schedule, nodes) => {
      for (const entry of schedule.filter((e) => e.f === 'start-clock')) {
        const value = entry.value as StartClock;
        const offsets = value.kind === 'skew' ? Object.values(value.offsets) : [value.deltaMs];
        primary.windows++;
        if (value.kind === 'skew' && value.target === 'primary') {
          expect(offsets).toHaveLength(1);
          primary[offsets[0]! < 0 ? 'back' : 'forward']++;
        }
        if (value.kind === 'skew') expect(Object.keys(value.offsets).every((n) => nodes.includes(n))).toBe(true);
        else expect(nodes).toContain(value.node);
        expect(offsets.length).toBeGreaterThan(0);
        for (const ms of offsets) {
          expect(Math.abs(ms)).toBeGreaterThanOrEqual(OFFSET_RANGE_MS.min);
          expect(Math.abs(ms)).toBeLessThanOrEqual(OFFSET_RANGE_MS.max);
        }
      }
    });
    expect(primary.back).toBeGreaterThan(primary.windows / 6);
    expect(primary.forward).toBeGreaterThan(primary.windows / 6);
  });

  it('clock-primary: every window skews the primary, back more often than forward', () => {
    expectSeedMatters(clockPrimary);
    const dirs = { back: 0, forward: 0 };
    checkScheduleLaws(clockPrimary, (schedule, nodes) => {
      if (nodes.length === 0) expect(schedule).toEqual([]);
      for (const entry of schedule.filter((e) => e.f === 'start-clock-primary')) {
        const value = entry.value as StartClock;
        expect(value).toMatchObject({ kind: 'skew', target: 'primary' });
        const offsets = Object.entries((value as { offsets: Record<string, number> }).offsets);
        expect(offsets).toHaveLength(1);
        expect(nodes).toContain(offsets[0]![0]);
        expect(Math.abs(offsets[0]![1])).toBeGreaterThanOrEqual(OFFSET_RANGE_MS.min);
        expect(Math.abs(offsets[0]![1])).toBeLessThanOrEqual(OFFSET_RANGE_MS.max);
        dirs[offsets[0]![1] < 0 ? 'back' : 'forward']++;
      }
    });
    expect(dirs.back).toBeGreaterThan(dirs.forward);
    expect(dirs.forward).toBeGreaterThan((dirs.back + dirs.forward) / 6);
    const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const schedule = clockPrimary.schedule({ nodes: five, durationMs: 60_000, intervalMs: 3_000, rng: new Rng(9) });
    expect(schedule.filter((e) => e.f === 'start-clock-primary').length).toBe(schedule.length / 2);
    expect(schedule.length).toBeGreaterThanOrEqual(10);
    expect(clockPrimary.drawStart).toBeUndefined(); // random keeps drawing clock's own primary skews
  });

  it('clock-primary refuses anything but a skew of the primary', () => {
    const nodes = ['n1', 'n2', 'n3'];
    const validate = clockPrimary.validate!;
    expect(() => validate({ f: 'start-clock-primary', value: { kind: 'skew', target: 'primary', offsets: { n2: -900 } } }, nodes)).not.toThrow();
    expect(() => validate({ f: 'start-clock-primary', value: { kind: 'skew', offsets: { n2: -900 } } }, nodes)).toThrow(/start-clock-primary needs/);
    expect(() => validate({ f: 'start-clock-primary', value: { kind: 'strobe', node: 'n1', deltaMs: 5, periodMs: 100, forMs: 1000 } }, nodes)).toThrow(/start-clock-primary needs/);
    expect(() => validate({ f: 'start-clock-primary', value: { kind: 'skew', target: 'primary', offsets: { n9: 1 } } }, nodes)).toThrow(/start-clock needs/);
  });

  it('writes offsets in the format libfaketime reads', () => {
    expect(faketimeOffset(30_500)).toBe('+30.5s\n');
    expect(faketimeOffset(-200)).toBe('-0.2s\n');
    expect(faketimeOffset(0)).toBe('+0s\n');
    expect(faketimeOffset(-120_000.4)).toBe('-120s\n');
  });
});

describe('clock on nodes using the clock module', () => {
  let primary: string | undefined = 'n2';
  const fx = new FixtureCluster({ ...clockSystem('module'), primary: async () => primary }, ['n1', 'n2', 'n3']);
  beforeAll(() => fx.startAll());
  afterAll(() => fx.close());

  it('skews nodes and resets them', async () => {
    const nemesis = clock.build();
    expect(Math.abs(await reaches(fx, 'n1', 0))).toBeLessThanOrEqual(TOLERANCE_MS);
    const done = await nemesis.invoke({ f: 'start-clock', value: { kind: 'skew', offsets: { n1: 30_000, n2: -1500 } } }, fx.ctx());
    expect((done as { text: string }).text).toBe('skew clocks: n1 +30 s, n2 -1.5 s');
    expect(await reaches(fx, 'n1', 30_000)).toBeCloseTo(30_000, -2);
    expect(await reaches(fx, 'n2', -1500)).toBeCloseTo(-1500, -2);
    expect(Math.abs(await fx.clockOffset('n3'))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(await nemesis.invoke({ f: 'stop-clock' }, fx.ctx())).toEqual({ text: 'reset clocks' });
    for (const node of fx.nodes) expect(Math.abs(await reaches(fx, node, 0))).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('skews the primary it finds when the fault runs, or the stand-in when there is none', async () => {
    const nemesis = clock.build();
    const value = { kind: 'skew', target: 'primary', offsets: { n3: -2500 } };
    const done = await nemesis.invoke({ f: 'start-clock', value }, fx.ctx());
    expect(done).toEqual({ kind: 'skew', target: 'primary', offsets: { n2: -2500 }, text: 'skew the clock of n2 (primary) by -2.5 s' });
    expect(Math.abs((await reaches(fx, 'n2', -2500)) + 2500)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(await fx.clockOffset('n3'))).toBeLessThanOrEqual(TOLERANCE_MS);
    primary = undefined;
    const fallback = await nemesis.invoke({ f: 'start-clock', value }, fx.ctx());
    expect((fallback as { text: string }).text).toBe('skew the clock of n3 (no primary known) by -2.5 s');
    expect(Math.abs((await reaches(fx, 'n3', -2500)) + 2500)).toBeLessThanOrEqual(TOLERANCE_MS);
    await nemesis.heal(fx.ctx());
    for (const node of fx.nodes) expect(Math.abs(await reaches(fx, node, 0))).toBeLessThanOrEqual(TOLERANCE_MS);
    const two = { kind: 'skew', target: 'primary', offsets: { n1: 1, n3: 2 } };
    await expect(nemesis.invoke({ f: 'start-clock', value: two }, fx.ctx())).rejects.toThrow(/start-clock needs/);
    primary = 'n2';
  });

  it('clock-primary skews the primary it finds when the fault runs, and resets every clock on stop', async () => {
    const nemesis = clockPrimary.build();
    expect(nemesis.fs).toEqual(['start-clock-primary', 'stop-clock-primary']);
    const done = await nemesis.invoke({ f: 'start-clock-primary', value: { kind: 'skew', target: 'primary', offsets: { n1: 4000 } } }, fx.ctx());
    expect((done as { text: string }).text).toBe('skew the clock of n2 (primary) by +4 s');
    expect(await reaches(fx, 'n2', 4000)).toBeCloseTo(4000, -2);
    expect(Math.abs(await fx.clockOffset('n1'))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(await nemesis.invoke({ f: 'stop-clock-primary' }, fx.ctx())).toEqual({ text: 'reset clocks' });
    for (const node of fx.nodes) expect(Math.abs(await reaches(fx, node, 0))).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('strobes a clock back and forth, then leaves the last value until stop', async () => {
    const nemesis = clock.build();
    const t0 = Date.now();
    const value = { kind: 'strobe', node: 'n3', deltaMs: 5000, periodMs: 100, forMs: 1000 };
    const done = await nemesis.invoke({ f: 'start-clock', value }, fx.ctx());
    expect(Date.now() - t0).toBeLessThan(100); // runs in the background
    expect((done as { text: string }).text).toBe("strobe n3's clock ±5 s every 100 ms for 1 s");
    const seen = new Set<number>();
    await new Promise((r) => setTimeout(r, 40)); // the clock module re-reads its file every 20 ms
    while (Date.now() - t0 < 900) {
      seen.add(Math.round((await fx.clockOffset('n3')) / 1000) * 1000);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect([...seen].sort()).toEqual([-5000, 5000]);
    await new Promise((r) => setTimeout(r, 400));
    // Ten flips starting at +5 s end on -5 s, and it stays there.
    expect(await fx.clockOffset('n3')).toBeCloseTo(-5000, -2);
    await new Promise((r) => setTimeout(r, 200));
    expect(await fx.clockOffset('n3')).toBeCloseTo(-5000, -2);
    await nemesis.invoke({ f: 'stop-clock' }, fx.ctx());
    expect(Math.abs(await reaches(fx, 'n3', 0))).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('heal ends a strobe for good and resets every clock, repeatedly', async () => {
    const nemesis = clock.build();
    await nemesis.invoke({ f: 'start-clock', value: { kind: 'skew', offsets: { n1: -60_000 } } }, fx.ctx());
    await nemesis.invoke({ f: 'start-clock', value: { kind: 'strobe', node: 'n2', deltaMs: 2000, periodMs: 50, forMs: 10_000 } }, fx.ctx());
    await new Promise((r) => setTimeout(r, 120));
    await nemesis.heal(fx.ctx());
    await nemesis.heal(fx.ctx());
    await new Promise((r) => setTimeout(r, 200)); // a live strobe would have flipped n2 by now
    for (const node of fx.nodes) expect(Math.abs(await fx.clockOffset(node))).toBeLessThanOrEqual(TOLERANCE_MS);
    await expect(nemesis.invoke({ f: 'start-clock', value: { kind: 'skew', offsets: { n9: 1 } } }, fx.ctx())).rejects.toThrow(/start-clock needs/);
  });
});

const libfaketime = findLibfaketime();
if (!libfaketime) console.warn('libfaketime is not installed (apt-get install libfaketime): skipping the faketime clock test');

describe.skipIf(!libfaketime)('clock on a libfaketime node', () => {
  const fx = new FixtureCluster(clockSystem('faketime'), ['n1']);
  beforeAll(() => fx.startAll());
  afterAll(() => fx.close());

  it('skews Date.now() of an unmodified program and resets it', async () => {
    const nemesis = clock.build();
    expect(Math.abs(await reaches(fx, 'n1', 0))).toBeLessThanOrEqual(TOLERANCE_MS);
    await nemesis.invoke({ f: 'start-clock', value: { kind: 'skew', offsets: { n1: -90_500 } } }, fx.ctx());
    // libfaketime re-reads the file at most once a second.
    expect(await reaches(fx, 'n1', -90_500, 3000)).toBeCloseTo(-90_500, -2);
    await nemesis.heal(fx.ctx());
    expect(Math.abs(await reaches(fx, 'n1', 0, 3000))).toBeLessThanOrEqual(TOLERANCE_MS);
  });
});
