import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../clusters/primary-backup/config.js';
import { Zab, type Ready } from '../../../clusters/primary-backup/zab.js';
import type { CoreEnv } from '../../../src/node/kv/run-node.js';
import { PbSim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });

function batches(core: Zab): Ready[] {
  const out: Ready[] = [];
  for (let rd = core.ready(); rd; rd = core.ready()) out.push(rd);
  return out;
}

describe('bug no-epoch-check', () => {
  for (const bug of [false, true]) {
    const bugs = bug ? ['no-epoch-check'] : [];

    it(`${bug ? 'with' : 'without'} the bug, a primary ${bug ? 'counts' : 'steps down on'} an acknowledgement of a newer epoch`, () => {
      const sim = new PbSim({ nodes: 3, seed: 2, bugs });
      const primary = sim.stableLeader();
      const epoch = sim.zab(primary).acceptedEpoch;
      const backup = sim.ids.find((id) => id !== primary)!;
      sim.zab(primary).receive({ type: 'ack', from: backup, epoch: epoch + 1, synced: true, last: 99, commit: 0, seq: 1 });
      expect(sim.zab(primary).role).toBe(bug ? 'leader' : 'follower');
    });

    it(`${bug ? 'with' : 'without'} the bug, an old primary across a bridge partition ${bug ? 'keeps serving, also after the heal' : 'steps down'}`, () => {
      const sim = new PbSim({ nodes: 5, seed: 17, bugs });
      const old = sim.stableLeader();
      expect(sim.call(old, write('x', 'before'))).toMatchObject({ type: 'ok' });
      const [a, bridge, c, d] = sim.ids.filter((id) => id !== old) as [string, string, string, string];
      // {old, a} and {c, d} do not hear each other; `bridge` hears everyone.
      for (const x of [old, a]) {
        for (const y of [c, d]) {
          sim.block(x, y);
          sim.block(y, x);
        }
      }
      sim.runUntil(() => [c, d].some((id) => sim.zab(id).role === 'leader'), 3000);
      const fresh = [c, d].find((id) => sim.zab(id).role === 'leader')!;
      expect(sim.call(fresh, write('x', 'new'))).toMatchObject({ type: 'ok' });
      // The bridge joined the new epoch while it still hears the old primary.
      expect(sim.zab(bridge).acceptedEpoch).toBe(sim.zab(fresh).acceptedEpoch);
      sim.run(300);
      sim.heal();
      sim.run(500);
      const stale = sim.request(old, read('x'));
      sim.run(500);
      if (bug) {
        expect(sim.zab(old).role).toBe('leader');
        expect(sim.events(old).join('\n')).toMatch(/bug no-epoch-check/);
        expect(sim.replies.get(stale)).toEqual({ type: 'ok', value: 'before' });
      } else {
        expect(sim.replies.get(stale)?.type).not.toBe('ok');
        expect(sim.ids.filter((id) => sim.zab(id).role === 'leader')).toHaveLength(1);
        expect(sim.violations).toEqual([]);
      }
    });
  }
});

describe('bug no-epoch-check after a partition', () => {
  // The two cuts of partition-primary, this bug's nemesis: the primary with a minority, which
  // exposes the bug, and the primary alone, which does not (no backup answers it, so it steps down).
  for (const [bug, alone] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const exposed = bug && !alone;
    it(`${bug ? 'with' : 'without'} the bug, a primary cut off ${alone ? 'alone' : 'with a minority'} ${exposed ? 'keeps serving stale reads' : 'steps down'} after the heal`, () => {
      const sim = new PbSim({ nodes: 5, seed: 19, bugs: bug ? ['no-epoch-check'] : [] });
      const old = sim.stableLeader();
      expect(sim.call(old, write('x', 'before'))).toMatchObject({ type: 'ok' });
      const minority = alone ? [old] : [old, sim.ids.find((id) => id !== old)!];
      const majority = sim.ids.filter((id) => !minority.includes(id));
      sim.partition([minority, majority]);
      const fresh = sim.stableLeader(3000, majority);
      expect(sim.call(fresh, write('x', 'after'))).toMatchObject({ type: 'ok' });
      sim.run(1500);
      expect(sim.zab(old).role).toBe(exposed ? 'leader' : 'follower');
      sim.heal();
      sim.run(500);
      const stale = sim.request(old, read('x'));
      sim.run(500);
      if (exposed) expect(sim.replies.get(stale)).toEqual({ type: 'ok', value: 'before' });
      else expect(sim.replies.get(stale)).toEqual({ type: 'fail', error: 'not-leader', leader: fresh });
    });
  }
});

describe('bug ack-before-persist', () => {
  for (const bug of [false, true]) {
    const bugs = bug ? ['ack-before-persist'] : [];

    it(`${bug ? 'with' : 'without'} the bug, a backup acknowledges ${bug ? 'before' : 'only after'} its entries are written`, () => {
      const env: CoreEnv = { mono: () => 5000, wall: () => 0, random: () => 0.5, log: () => {} };
      const core = new Zab(makeConfig('n2', ['n1', 'n2', 'n3'], { bugs }), env, { epochs: { accepted: 1, current: 1 }, records: [] });
      batches(core);
      core.receive({ type: 'append', from: 'n1', epoch: 1, prev: 0, entries: [{ e: 1, c: { op: 'write', key: 'x', value: 1 } }], commit: 0, seq: 1 });
      const [rd] = batches(core);
      expect(rd!.messages[0]!.msg).toMatchObject({ type: 'ack', last: 1 });
      expect(rd!.records).toEqual(bug ? undefined : [{ i: 1, e: 1, c: { op: 'write', key: 'x', value: 1 } }]);
    });

    it(`${bug ? 'with' : 'without'} the bug, killing every node ${bug ? 'loses' : 'keeps'} acknowledged writes`, () => {
      const sim = new PbSim({ nodes: 3, seed: 35, bugs });
      const leader = sim.stableLeader();
      sim.run(1500);
      expect(sim.call(leader, write('x', 'acked'))).toMatchObject({ type: 'ok' });
      for (const id of sim.ids) sim.crash(id);
      for (const id of sim.ids) sim.restart(id);
      const next = sim.stableLeader();
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: bug ? null : 'acked' });
    });
  }
});
