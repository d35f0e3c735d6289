import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../clusters/multi-paxos-kv/config.js';
import type { PaxosMessage } from '../../../clusters/multi-paxos-kv/messages.js';
import { Paxos } from '../../../clusters/multi-paxos-kv/paxos.js';
import type { CoreEnv } from '../../../src/node/kv/run-node.js';
import { PaxosSim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });
const env: CoreEnv = { mono: () => 0, wall: () => 0, random: () => 0.5, log: () => {} };

function replies(core: Paxos): PaxosMessage[] {
  const out: PaxosMessage[] = [];
  for (let rd = core.ready(); rd; rd = core.ready()) for (const m of rd.messages) out.push(m.msg);
  return out;
}

describe('bug accept-without-promise-check', () => {
  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} the bug, an acceptor ${bug ? 'accepts' : 'refuses'} a ballot below its promise`, () => {
      const core = new Paxos(makeConfig('n2', ['n1', 'n2', 'n3'], { bugs: bug ? ['accept-without-promise-check'] : [] }), env, { promised: 8, records: [] });
      core.receive({ type: 'accept', from: 'n3', ballot: 5, entries: [{ s: 1, c: { op: 'write', key: 'x', value: 1 } }], commit: 1, seq: 1 });
      expect(replies(core)).toEqual([expect.objectContaining({ type: 'accepted', ok: bug, slots: bug ? [1] : [] })]);
      expect(core.log.get(1)?.b).toBe(bug ? 5 : undefined);
      expect(core.promised).toBe(8);
    });

    it(`${bug ? 'with' : 'without'} the bug, a node hearing two leaders across a bridge partition ${bug ? 'lets both choose values for one slot' : 'keeps them apart'}`, () => {
      const sim = new PaxosSim({ nodes: 5, seed: 17, bugs: bug ? ['accept-without-promise-check'] : [] });
      const old = sim.stableLeader();
      const [a, bridge, c, d] = sim.ids.filter((id) => id !== old) as [string, string, string, string];
      // {old, a} and {c, d} do not hear each other; `bridge` hears everyone.
      for (const x of [old, a]) {
        for (const y of [c, d]) {
          sim.block(x, y);
          sim.block(y, x);
        }
      }
      sim.runUntil(() => [c, d].some((id) => sim.paxos(id).role === 'leader'), 3000);
      const fresh = [c, d].find((id) => sim.paxos(id).role === 'leader')!;
      for (let i = 0; i < 20; i++) {
        sim.request(old, write('x', `old-${i}`));
        sim.request(fresh, write('x', `new-${i}`));
        sim.run(20);
      }
      sim.run(500);
      if (bug) {
        // The old leader was never refused: the bridge accepted from both.
        expect(sim.paxos(old).role).toBe('leader');
        expect(sim.events(bridge).join('\n')).toMatch(/bug accept-without-promise-check/);
        expect(sim.violations.join('\n')).toMatch(/committed as/);
      } else {
        expect(sim.events(old).join('\n')).toMatch(/an acceptor promised a higher ballot/);
        expect(sim.violations).toEqual([]);
      }
    });
  }
});

describe('bug accept-without-promise-check after a partition', () => {
  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} the bug, a leader cut off with a minority ${bug ? 'chooses values over the new leader\'s' : 'is refused'} after the heal`, () => {
      const sim = new PaxosSim({ nodes: 5, seed: 19, bugs: bug ? ['accept-without-promise-check'] : [] });
      const old = sim.stableLeader();
      const minority = [old, sim.ids.find((id) => id !== old)!];
      const majority = sim.ids.filter((id) => !minority.includes(id));
      sim.partition([minority, majority]);
      const fresh = sim.stableLeader(3000, majority);
      for (let i = 0; i < 5; i++) expect(sim.call(fresh, write('x', `new-${i}`))).toMatchObject({ type: 'ok' });
      const late = sim.request(old, write('x', 'old'));
      sim.heal();
      sim.run(1000);
      if (bug) {
        expect(sim.replies.get(late)).toMatchObject({ type: 'ok' });
        expect(sim.violations.join('\n')).toMatch(/committed as/);
      } else {
        expect(sim.replies.get(late)?.type).not.toBe('ok');
        expect(sim.violations).toEqual([]);
      }
    });
  }
});

describe('bug forget-accepted-on-restart', () => {
  for (const bug of [false, true]) {
    const bugs = bug ? ['forget-accepted-on-restart'] : [];

    it(`${bug ? 'with' : 'without'} the bug, a restarted acceptor ${bug ? 'forgets' : 'reloads'} its accepted values but keeps its promise`, () => {
      const records = [{ s: 1, b: 4, c: { op: 'write', key: 'x', value: 1 } }, { upTo: 2 }];
      const core = new Paxos(makeConfig('n1', ['n1', 'n2', 'n3'], { bugs }), env, { promised: 4, records });
      expect(core.promised).toBe(4);
      expect(core.log.get(1)?.c).toEqual(bug ? undefined : { op: 'write', key: 'x', value: 1 });
      expect(core.sm.get('x')).toBe(bug ? null : 1);
    });

    it(`${bug ? 'with' : 'without'} the bug, restarting every node ${bug ? 'loses' : 'keeps'} acknowledged writes`, () => {
      const sim = new PaxosSim({ nodes: 3, seed: 33, bugs });
      const leader = sim.stableLeader();
      expect(sim.call(leader, write('x', 'acked'))).toMatchObject({ type: 'ok' });
      for (const id of sim.ids) sim.crash(id);
      for (const id of sim.ids) sim.restart(id);
      const next = sim.stableLeader();
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: bug ? null : 'acked' });
    });

    it(`${bug ? 'with' : 'without'} the bug, a majority restarted while the rest is cut off ${bug ? 'loses' : 'keeps'} acknowledged writes`, () => {
      const sim = new PaxosSim({ nodes: 5, seed: 34, bugs });
      const leader = sim.stableLeader();
      expect(sim.call(leader, write('x', 'acked'))).toMatchObject({ type: 'ok' });
      const majority = [leader, ...sim.ids.filter((id) => id !== leader).slice(0, 2)];
      for (const id of majority) sim.crash(id);
      sim.partition([majority]);
      for (const id of majority) sim.restart(id);
      const next = sim.stableLeader(5000, majority);
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: bug ? null : 'acked' });
      // After the heal the nodes that kept the value disagree with what was chosen since.
      expect(sim.call(next, write('y', 1))).toMatchObject({ type: 'ok' });
      sim.heal();
      sim.run(2000);
      if (bug) expect(sim.violations.join('\n')).toMatch(/committed as/);
      else expect(sim.violations).toEqual([]);
    });
  }
});
