/**
 * The lock workload's checkers on generated histories: holds executed against a sequential lock
 * (one grant at a time, tokens increasing) and laid out in real time are valid; mutated ones
 * (a hold that never ends overlapping the next, a token going backwards) are invalid; and on
 * small random histories both checkers agree with brute-force oracles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { fencing, mutex, mutexModel } from '../../checkers/lock/index.js';
import { withCrashedHoldsReleased } from '../../checkers/lock/crashed-holders.js';
import { bruteForceLinearizable } from './oracle.js';

interface Event {
  t: number;
  process: number;
  f: string;
  type: OpType;
  value: unknown;
  error?: string;
}

/** One hold as the sequential lock ran it: linearization points 10, 25, 40 after its base time. */
interface HoldPlan {
  lead: number;
  tail: number;
  /** The release ends ok, info (outcome unknown), or the client crashes at its write. */
  end: 'ok' | 'info' | 'crash';
  /** Failed acquires of other processes racing it. */
  losers: number;
}

const holdPlan: fc.Arbitrary<HoldPlan> = fc.record({
  lead: fc.integer({ min: 1, max: 100 }),
  tail: fc.integer({ min: 1, max: 100 }),
  end: fc.constantFrom<HoldPlan['end']>('ok', 'ok', 'ok', 'info', 'crash'),
  losers: fc.integer({ min: 0, max: 2 }),
});

/** Holds one after another (each by a process of its own, as a thread after a crash), token i + 1. */
function execute(plans: readonly HoldPlan[]): Op[] {
  const events: Event[] = [];
  let loser = 1000;
  plans.forEach((h, i) => {
    const base = 60 * i;
    const token = i + 1;
    const p = i;
    events.push({ t: base + 10 - h.lead, process: p, f: 'acquire', type: 'invoke', value: null });
    events.push({ t: base + 12, process: p, f: 'acquire', type: 'ok', value: token });
    events.push({ t: base + 20, process: p, f: 'write', type: 'invoke', value: token });
    if (h.end === 'crash') {
      events.push({ t: base + 35, process: p, f: 'write', type: 'info', value: token });
    } else {
      events.push({ t: base + 30, process: p, f: 'write', type: 'ok', value: token });
      events.push({ t: base + 36, process: p, f: 'release', type: 'invoke', value: token });
      events.push({ t: base + 40 + h.tail, process: p, f: 'release', type: h.end, value: token });
    }
    for (let k = 0; k < h.losers; k++) {
      const q = loser++;
      events.push({ t: base + 15 + k, process: q, f: 'acquire', type: 'invoke', value: null });
      events.push({ t: base + 16 + k, process: q, f: 'acquire', type: 'fail', value: null, error: 'held' });
    }
  });
  return layOut(events);
}

function layOut(events: Event[]): Op[] {
  return events
    .map((e, seq) => ({ e, seq }))
    .sort((a, b) => a.e.t - b.e.t || a.seq - b.seq)
    .map(({ e }, index) => ({ index, time: e.t, type: e.type, process: e.process, f: e.f, key: 'lock-0', value: e.value, ...(e.error && { error: e.error }) }));
}

const check = async (checker: ReturnType<typeof mutex>, h: Op[]) => (await checker.check(h, {})).valid;

describe('lock checkers on histories of a sequential lock', () => {
  it('valid histories pass both checkers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(holdPlan, { minLength: 1, maxLength: 12 }), async (plans) => {
        const h = execute(plans);
        expect(await check(mutex(), h)).toBe(true);
        expect(await check(fencing(), h)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a hold whose release was refused overlaps the next grant: mutex finds it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(holdPlan, { minLength: 2, maxLength: 10 }), fc.nat(), async (plans, pick) => {
        const ends = plans.map((p, i) => (p.end === 'ok' && i < plans.length - 1 ? i : -1)).filter((i) => i >= 0);
        fc.pre(ends.length > 0);
        const victim = ends[pick % ends.length]!;
        const h = execute(plans).map((op) =>
          op.process === victim && op.f === 'release' && op.type === 'ok' ? { ...op, type: 'fail' as const, error: 'not-holder' } : op,
        );
        const result = await mutex().check(h, {});
        expect(result.valid).toBe(false);
        expect(result.anomalies?.[0]?.ops.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });

  it('a token going backwards: fencing finds it and names both grants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(holdPlan, { minLength: 3, maxLength: 10 }), fc.nat(), async (plans, pick) => {
        // From the third hold on, the first grant surely completed before the acquire began.
        const j = 2 + (pick % (plans.length - 2));
        const h = execute(plans).map((op) => (op.process === j && op.value === j + 1 ? { ...op, value: 1 } : op));
        const result = await fencing().check(h, {});
        expect(result.valid).toBe(false);
        const a = result.anomalies![0]!;
        // The later grant, and the highest grant completed before it was invoked.
        const [earlier, , later] = a.ops;
        expect(later!.process).toBe(j);
        expect(earlier!.process).toBeLessThan(j);
        expect(a.explanation).toMatch(/was granted token 1, but .* had been granted token [1-9]/);
      }),
      { numRuns: 100 },
    );
  });
});

/** Small random histories of acquires, writes and releases, with any outcomes and tokens. */
const randomHistory: fc.Arbitrary<Op[]> = fc
  .array(
    fc.record({
      process: fc.integer({ min: 0, max: 2 }),
      f: fc.constantFrom('acquire', 'acquire', 'release', 'write'),
      token: fc.integer({ min: 1, max: 3 }),
      type: fc.constantFrom<OpType>('ok', 'ok', 'ok', 'fail', 'info'),
      start: fc.integer({ min: 0, max: 100 }),
      length: fc.integer({ min: 1, max: 40 }),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((ops) => {
    // Each process's operations one after another, in its own time.
    const free = new Map<number, number>();
    const events: Event[] = [];
    for (const o of [...ops].sort((a, b) => a.start - b.start)) {
      const t0 = Math.max(o.start, (free.get(o.process) ?? -1) + 1);
      free.set(o.process, t0 + o.length);
      const value = o.f === 'acquire' ? null : o.token;
      events.push({ t: t0, process: o.process, f: o.f, type: 'invoke', value });
      events.push({ t: t0 + o.length, process: o.process, f: o.f, type: o.type, value: o.f === 'acquire' && o.type === 'ok' ? o.token : value });
    }
    return layOut(events);
  });

/** Fencing by brute force: every pair of ok operations of one kind, in real-time order. */
function fencingOracle(h: readonly Op[]): boolean {
  const done: { f: string; token: number; call: number; ret: number }[] = [];
  const open = new Map<number, Op>();
  for (const op of h) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') open.set(op.process, op);
    else {
      const inv = open.get(op.process)!;
      open.delete(op.process);
      if (op.type === 'ok' && (op.f === 'acquire' || op.f === 'write')) done.push({ f: op.f, token: (op.f === 'acquire' ? op.value : inv.value) as number, call: inv.index, ret: op.index });
    }
  }
  return done.every((b) => done.every((a) => a.f !== b.f || a.ret >= b.call || (b.f === 'acquire' ? b.token > a.token : b.token >= a.token)));
}

describe('lock checkers agree with brute force on small histories', () => {
  it('mutex agrees with the brute-force linearizability oracle', async () => {
    await fc.assert(
      fc.asyncProperty(randomHistory, async (h) => {
        const lockOps = h.filter((op) => op.f !== 'write');
        const expected = bruteForceLinearizable(mutexModel, withCrashedHoldsReleased(lockOps, h));
        expect(await check(mutex(), h)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('fencing agrees with the pairwise oracle', async () => {
    await fc.assert(
      fc.asyncProperty(randomHistory, async (h) => {
        expect(await check(fencing(), h)).toBe(fencingOracle(h));
      }),
      { numRuns: 300 },
    );
  });
});
