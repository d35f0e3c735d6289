// The generator combinators, run through simulate(): what each one yields, that generators are
// values (one value starts every thread; reusing it gives the same operations), and that
// completions reach the generator that produced the operation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/api/client.js';
import type { GenContext, GenEvent, GenStep, Generator } from '../../src/api/generator.js';
import { fromContext, limit, mix, nothing, once, repeat, reserve, seq, sleep, timeLimit, untilOk } from '../../src/gen/combinators.js';
import { simulate, type SimOp } from '../../src/gen/simulate.js';

const op = (f: string, value: unknown = null): Invocation => ({ f, value });
const invokes = (history: readonly SimOp[]): SimOp[] => history.filter((o) => o.type === 'invoke');
const fs = (history: readonly SimOp[]): string[] => invokes(history).map((o) => o.f);

/** A generator that counts its operations in its own value (a stateful generator done right). */
class Counter implements Generator {
  constructor(private readonly n = 0) {}
  op(): GenStep {
    return { op: op('count', this.n), gen: new Counter(this.n + 1) };
  }
  update(): Generator {
    return this;
  }
}

describe('combinators', () => {
  it('once, limit and seq yield exactly what they say, per thread', () => {
    const gen = seq(once(op('a')), limit(2, repeat(() => op('b'))), once(op('c')));
    const history = simulate(gen, { threads: 3, seed: 1 });
    for (const thread of [0, 1, 2]) expect(fs(history.filter((o) => o.thread === thread))).toEqual(['a', 'b', 'b', 'c']);
  });

  it('a generator is a value: asking the same one twice gives the same operation, and threads do not share state', () => {
    const counter = new Counter();
    const first = counter.op();
    expect(counter.op()).toEqual(first);
    const history = simulate(limit(3, counter), { threads: 2, seed: 1 });
    for (const thread of [0, 1]) expect(invokes(history.filter((o) => o.thread === thread)).map((o) => o.value)).toEqual([0, 1, 2]);
  });

  it('mix draws by weight from the thread rng, reproducibly, and drops exhausted generators', () => {
    const gen = limit(2000, mix([repeat(() => op('x')), repeat(() => op('y'))], [3, 1]));
    const a = fs(simulate(gen, { threads: 1, seed: 5 }));
    expect(fs(simulate(gen, { threads: 1, seed: 5 }))).toEqual(a);
    const share = a.filter((f) => f === 'x').length / a.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
    expect(fs(simulate(mix([once(op('p')), limit(3, repeat(() => op('q')))]), { threads: 1, seed: 2 })).sort()).toEqual(['p', 'q', 'q', 'q']);
  });

  it('mix routes each completion to the generator that produced the operation', () => {
    const seen: string[] = [];
    class Spy implements Generator {
      constructor(private readonly name: string) {}
      op(): GenStep {
        return { op: op(this.name), gen: this };
      }
      update(_: GenContext, event: GenEvent): Generator {
        seen.push(`${this.name}:${event.invocation.f}`);
        return this;
      }
    }
    simulate(limit(200, mix([new Spy('u'), new Spy('v')])), { threads: 1, seed: 3 });
    expect(seen).toHaveLength(200);
    expect(seen.every((s) => s === 'u:u' || s === 'v:v')).toBe(true);
  });

  it('untilOk repeats until an operation completes ok', () => {
    let attempts = 0;
    const history = simulate(untilOk(repeat(() => op('read'))), {
      threads: 1,
      seed: 1,
      complete: () => ({ type: ++attempts < 4 ? (attempts % 2 ? 'fail' : 'info') : 'ok', latencyMs: 5 }),
    });
    expect(history.filter((o) => o.type !== 'invoke').map((o) => o.type)).toEqual(['fail', 'info', 'fail', 'ok']);
    // After the info the thread went on as a fresh process.
    expect(invokes(history).map((o) => o.process)).toEqual([0, 0, 1, 1]);
  });

  it('timeLimit counts from the first time it is asked, on the context clock', () => {
    const history = simulate(seq(once(op('first')), timeLimit(100, repeat(() => op('t')))), { threads: 1, seed: 1, startMs: 50, gapMs: 10 });
    const ts = invokes(history).filter((o) => o.f === 't');
    expect(ts[0]?.time).toBe(60);
    expect(ts.reduce((m, o) => Math.max(m, o.time), -Infinity)).toBeLessThan(160);
    expect(ts).toHaveLength(10);
  });

  it('sleep pauses a seq for its time from the first time it is asked, on every thread', () => {
    const history = simulate(seq(once(op('before')), sleep(300), once(op('after'))), { threads: 2, seed: 1, startMs: 50, gapMs: 10 });
    const after = invokes(history).filter((o) => o.f === 'after');
    expect(after.map((o) => o.time)).toEqual([360, 360]);
    expect(simulate(sleep(100), { threads: 1, seed: 1 })).toEqual([]);
  });

  it('a wait is honoured: nothing is asked before the time it names', () => {
    class Later implements Generator {
      op(ctx: GenContext): GenStep {
        return ctx.time < 500 ? { waitUntil: 500, gen: this } : { op: op('late'), gen: nothing };
      }
      update(): Generator {
        return this;
      }
    }
    const history = simulate(new Later(), { threads: 2, seed: 1 });
    expect(invokes(history).map((o) => o.time)).toEqual([500, 500]);
  });

  it('reserve and fromContext give threads their roles from the context', () => {
    const gen = limit(3, reserve((threads) => Math.floor(threads / 2), repeat(() => op('r')), repeat(() => op('w'))));
    const history = simulate(gen, { threads: 6, seed: 1 });
    for (const o of invokes(history)) expect(o.f).toBe(o.thread < 3 ? 'r' : 'w');
    const byNode = simulate(fromContext((ctx) => once(op(ctx.node))), { threads: 4, nodes: ['n1', 'n2'], seed: 1 });
    expect(invokes(byNode).map((o) => o.f)).toEqual(['n1', 'n2', 'n1', 'n2']);
  });

  it('property: limit(n, g) yields min(n, what g yields) per thread, whatever the completions', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.nat(20), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, m, threads, seed) => {
        const history = simulate(limit(n, limit(m, repeat(() => op('x')))), {
          threads,
          seed,
          complete: (_op, _ctx, rng) => ({ type: rng.pick(['ok', 'fail', 'info'] as const), latencyMs: rng.int(10) }),
        });
        for (let t = 0; t < threads; t++) expect(invokes(history.filter((o) => o.thread === t))).toHaveLength(Math.min(n, m));
        // Every invocation has exactly one completion, after it, on the same process.
        expect(history.filter((o) => o.type !== 'invoke')).toHaveLength(invokes(history).length);
      }),
    );
  });
});
