import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../clusters/primary-backup/config.js';
import type { Persisted } from '../../../clusters/primary-backup/recovery.js';
import { Zab } from '../../../clusters/primary-backup/zab.js';
import { byHand } from '../sim.js';

const w = (key: string, value: number) => ({ op: 'write' as const, key, value });

function lone(id = 'n1', persisted: Persisted = { records: [] }) {
  return byHand((env) => new Zab(makeConfig(id, ['n1', 'n2', 'n3']), env, persisted));
}

const history = (entries: { e: number; c: ReturnType<typeof w> }[], commit: number) => [
  ...entries.map((e, k) => ({ i: k + 1, e: e.e, c: e.c })),
  { commit },
];

describe('epochs and recovery', () => {
  it('a new primary takes the history of the most up-to-date node of its majority: newest sync epoch first, then longest', () => {
    // n1 synced in epoch 2 and committed 1 entry; its own history is shorter than n3's, but n3 synced last in epoch 1.
    const { core, drain, advance } = lone('n1', { epochs: { accepted: 2, current: 2 }, records: history([{ e: 1, c: w('a', 1) }, { e: 2, c: w('b', 2) }], 1) });
    advance(1000);
    core.tick();
    expect(drain().out.map((m) => m.msg.type)).toEqual(['probe', 'probe']);
    core.receive({ type: 'probe-reply', from: 'n2', epoch: 3, ok: true, accepted: 2 });
    const announced = drain();
    expect(announced.batches[0]!.epochs).toEqual({ accepted: 3, current: 2 });
    expect(announced.out[0]!.msg).toEqual({ type: 'newepoch', from: 'n1', epoch: 3, commit: 1 });
    // n2 synced in epoch 2 too and holds one more entry of that epoch.
    core.receive({ type: 'ackepoch', from: 'n2', epoch: 3, ok: true, accepted: 3, current: 2, last: 3, commit: 1, entries: [{ e: 2, c: w('b', 2) }, { e: 2, c: w('c', 3) }] });
    expect(core.role).toBe('leader');
    expect(core.history.slice(1).map((e) => e.c)).toEqual([w('a', 1), w('b', 2), w('c', 3)]);
    expect(core.currentEpoch).toBe(3);
    // Nothing is served until that history is on a majority.
    expect(core.serving()).toBe(false);
    const sent = drain();
    expect(sent.batches[0]!.records).toEqual([{ i: 3, e: 2, c: w('c', 3) }]);
    core.receive({ type: 'ack', from: 'n2', epoch: 3, synced: false, last: 3, commit: 1, seq: 1 });
    const sync = drain().out.find((m) => m.msg.type === 'sync')!.msg;
    expect(sync).toMatchObject({ type: 'sync', epoch: 3, base: 1, entries: [{ e: 2, c: w('b', 2) }, { e: 2, c: w('c', 3) }] });
    core.receive({ type: 'ack', from: 'n2', epoch: 3, synced: true, last: 3, commit: 1, seq: 1 });
    expect(core.serving()).toBe(true);
    expect(core.sm.get('c')).toBe(3);
  });

  it('prefers a newer sync epoch to a longer history', () => {
    const { core, drain, advance } = lone('n1', { epochs: { accepted: 1, current: 1 }, records: history([{ e: 1, c: w('a', 1) }, { e: 1, c: w('x', 9) }, { e: 1, c: w('y', 9) }], 1) });
    advance(1000);
    core.tick();
    core.receive({ type: 'probe-reply', from: 'n2', epoch: 2, ok: true, accepted: 1 });
    drain();
    core.receive({ type: 'ackepoch', from: 'n3', epoch: 2, ok: true, accepted: 2, current: 2, last: 2, commit: 1, entries: [{ e: 2, c: w('b', 2) }] });
    expect(core.history.slice(1).map((e) => e.c)).toEqual([w('a', 1), w('b', 2)]);
    expect(drain().batches[0]!.records).toEqual([{ cut: 2 }, { i: 2, e: 2, c: w('b', 2) }]);
  });

  it('a backup joins only newer epochs, answers older primaries with its own epoch, and syncs to exactly the primary\'s history', () => {
    const { core, drain } = lone('n2', { epochs: { accepted: 1, current: 1 }, records: history([{ e: 1, c: w('a', 1) }, { e: 1, c: w('junk', 1) }], 1) });
    core.receive({ type: 'newepoch', from: 'n3', epoch: 3, commit: 1 });
    const ack = drain();
    expect(ack.batches[0]!.epochs).toEqual({ accepted: 3, current: 1 });
    expect(ack.out[0]!.msg).toMatchObject({ type: 'ackepoch', ok: true, current: 1, last: 2, entries: [{ e: 1, c: w('junk', 1) }] });
    core.receive({ type: 'newepoch', from: 'n1', epoch: 2, commit: 0 });
    expect(drain().out[0]!.msg).toMatchObject({ type: 'ackepoch', ok: false, accepted: 3 });
    core.receive({ type: 'append', from: 'n1', epoch: 2, prev: 2, entries: [{ e: 2, c: w('old', 2) }], commit: 3, seq: 4 });
    expect(drain().out[0]!.msg).toMatchObject({ type: 'ack', epoch: 3, synced: false, last: 2, seq: 4 });
    core.receive({ type: 'append', from: 'n3', epoch: 3, prev: 2, entries: [], commit: 1, seq: 1 });
    expect(drain().out[0]!.msg).toMatchObject({ type: 'ack', epoch: 3, synced: false });
    core.receive({ type: 'sync', from: 'n3', epoch: 3, base: 1, entries: [{ e: 3, c: w('b', 2) }], commit: 2, seq: 1 });
    const synced = drain();
    expect(synced.batches[0]!.epochs).toEqual({ accepted: 3, current: 3 });
    expect(synced.batches[0]!.records).toEqual([{ cut: 2 }, { i: 2, e: 3, c: w('b', 2) }, { commit: 2 }]);
    expect(synced.out[0]!.msg).toMatchObject({ type: 'ack', epoch: 3, synced: true, last: 2 });
    expect(core.sm.get('b')).toBe(2);
    expect(core.sm.get('junk')).toBe(null);
  });
});
