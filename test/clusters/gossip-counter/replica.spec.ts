/** gossip-counter's replica: the PN-counter merge, the double-apply bug, the majority waits and coalesced saves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bugSet } from '../../../clusters/gossip-counter/bugs.js';
import { addAt, emptyState, isPnState, mergeInto, valueOf, type PnState } from '../../../clusters/gossip-counter/pn-counter.js';
import { Quorum } from '../../../clusters/gossip-counter/quorum.js';
import { isCounterMessage, Replica, SILENCE_MS } from '../../../clusters/gossip-counter/replica.js';
import { Saver } from '../../../clusters/gossip-counter/saver.js';

const NODES = ['n1', 'n2', 'n3'];
const stateArb: fc.Arbitrary<PnState> = fc.record({
  p: fc.dictionary(fc.constantFrom(...NODES), fc.nat(100)),
  n: fc.dictionary(fc.constantFrom(...NODES), fc.nat(100)),
});
const merged = (...states: PnState[]): PnState => {
  const out = emptyState();
  for (const s of states) mergeInto(out, s);
  return out;
};

describe('PN-counter merge', () => {
  it('takes the maximum per entry and counts P minus N', () => {
    const a: PnState = { p: { n1: 5, n2: 1 }, n: { n1: 2 } };
    mergeInto(a, { p: { n1: 3, n2: 4, n3: 2 }, n: { n2: 1 } });
    expect(a).toEqual({ p: { n1: 5, n2: 4, n3: 2 }, n: { n1: 2, n2: 1 } });
    expect(valueOf(a)).toBe(11 - 3);
  });

  it('is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
        expect(merged(a, b)).toEqual(merged(b, a));
        expect(merged(merged(a, b), c)).toEqual(merged(a, merged(b, c)));
        expect(merged(a, a)).toEqual(merged(a));
      }),
    );
  });

  it('records negative deltas in N', () => {
    const s = emptyState();
    addAt(s, 'n1', 4);
    addAt(s, 'n1', -3);
    expect(s).toEqual({ p: { n1: 4 }, n: { n1: 3 } });
    expect(isPnState(s)).toBe(true);
    expect(isPnState({ p: { n1: -1 }, n: {} })).toBe(false);
  });
});

describe('Replica', () => {
  it('merges peers by maximum however often and late they gossip, and keeps its own entries', () => {
    const r = new Replica('n1', bugSet(), emptyState());
    r.add(3);
    r.receive('n2', { p: { n1: 99, n2: 4 }, n: {} }, 0);
    r.receive('n2', { p: { n2: 4 }, n: {} }, 5000);
    r.receive('n3', { p: { n2: 2, n3: 1 }, n: {} }, 5000);
    expect(r.value()).toBe(3 + 4 + 1);
  });

  it('with double-apply, adds the state of a peer heard from again after a silence', () => {
    const r = new Replica('n1', bugSet(['double-apply']), emptyState());
    r.receive('n2', { p: { n2: 4, n3: 2 }, n: {} }, 0);
    r.receive('n2', { p: { n2: 4, n3: 2 }, n: {} }, SILENCE_MS / 2);
    expect(r.value()).toBe(6);
    r.receive('n2', { p: { n2: 5, n3: 2 }, n: {} }, SILENCE_MS * 2);
    expect(r.value()).toBe(4 + 5 + 2 + 2);
  });

  it('recognises its peer messages', () => {
    expect(isCounterMessage({ from: 'n2', type: 'push', rid: 'q1', state: { p: {}, n: {} } })).toBe(true);
    expect(isCounterMessage({ from: 'n2', type: 'push', state: { p: {}, n: {} } })).toBe(false);
    expect(isCounterMessage({ from: 'n2', type: 'pulled', rid: 'q1' })).toBe(false);
  });
});

describe('Quorum', () => {
  it('is done once a majority (this node included) answered, each peer counted once', () => {
    const q = new Quorum(5, 1000);
    let done = 0;
    const rid = q.open(0, () => done++)!;
    q.answer(rid, 'n2');
    q.answer(rid, 'n2');
    expect(done).toBe(0);
    q.answer(rid, 'n3');
    q.answer(rid, 'n4');
    expect(done).toBe(1);
  });

  it('is done at once alone, and forgets requests that expired', () => {
    let done = 0;
    expect(new Quorum(1, 1000).open(0, () => done++)).toBeUndefined();
    expect(done).toBe(1);
    const q = new Quorum(3, 1000);
    const rid = q.open(0, () => done++)!;
    q.expire(1000);
    q.answer(rid, 'n2');
    expect(done).toBe(1);
  });
});

describe('Saver', () => {
  it('coalesces saves asked for during a write into one more write, which sees the latest state', async () => {
    const written: number[] = [];
    let state = 0;
    let release: () => void = () => {};
    const saver = new Saver(async () => {
      const at = state;
      await new Promise<void>((r) => (release = r));
      written.push(at);
    });
    const first = saver.save();
    state = 1;
    const second = saver.save();
    state = 2;
    const third = saver.save();
    expect(third).toBe(second);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([second, third, saver.idle()]);
    expect(written).toEqual([0, 2]);
  });
});
