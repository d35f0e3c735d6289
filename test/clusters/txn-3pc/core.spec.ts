// txn-3pc's protocol cores on a simulated network and disk (../txn-sim.ts): the three phases and
// their records, aborts on a no vote or a silent participant, participants deciding on their own
// when the coordinator is gone (where txn-2pc blocks), recovery from the log, and the split
// decision a partition causes, which is the protocol's known weakness.
import { describe, expect, it } from 'vitest';
import { TxnNode } from '../../../clusters/txn-3pc/core.js';
import { ACK_TIMEOUT_MS, VOTE_TIMEOUT_MS } from '../../../clusters/txn-3pc/coordinator.js';
import { PRECOMMIT_TIMEOUT_MS, UNCERTAIN_TIMEOUT_MS } from '../../../clusters/txn-3pc/participant.js';
import { LOCK_WAIT_MS } from '../../../src/node/txn/lock-wait.js';
import { isPeerMsg, type PeerMsg, type Rec } from '../../../clusters/txn-3pc/protocol.js';
import { CoreSim, type InFlight } from '../txn-sim.js';
import { TxnSim as Sim2pc } from '../txn-2pc/sim.js';

const NODES = ['n1', 'n2', 'n3'];
type Msg = InFlight<PeerMsg>;
const only = (...types: PeerMsg['type'][]) => (m: Msg): boolean => types.includes(m.msg.type);

class Sim3pc extends CoreSim<Rec, PeerMsg, TxnNode> {
  constructor() {
    super(NODES, (id, records, now) => new TxnNode({ id, nodes: NODES }, records, now));
  }
  prepared(node: string): number {
    return this.nodes.get(node)!.status(this.now).prepared;
  }
}

/** A cluster and one key on each node: x on n1, y on n2, z on n3. */
function setup(): { sim: Sim3pc; x: number; y: number; z: number } {
  const sim = new Sim3pc();
  return { sim, x: sim.keyOn('n1') as number, y: sim.keyOn('n2') as number, z: sim.keyOn('n3') as number };
}

describe('txn-3pc core', () => {
  it('commits through can-commit, pre-commit and do-commit, each state durable before it is announced', () => {
    const { sim, x, y, z } = setup();
    const rid = sim.txn('n3', [['append', x, 1], ['append', y, 2], ['r', z, null], ['r', x, null]]);
    sim.deliver(only('prepare', 'vote'));
    expect(sim.inFlight.map((m) => m.msg.type)).toEqual(['precommit', 'precommit', 'precommit']);
    expect(sim.disks.get('n3')).toContainEqual({ r: 'precommit', txn: 'n3:1:1', participants: expect.arrayContaining(NODES) });
    expect(sim.replies.has(rid)).toBe(false);
    sim.deliver();
    expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: [['append', x, 1], ['append', y, 2], ['r', z, null], ['r', x, [1]]] });
    expect(sim.disks.get('n1')!.map((r) => r.r)).toEqual(['boot', 'prepared', 'precommitted', 'committed']);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([2]);
  });

  it('aborts on a no vote (a lock held past the lock wait by a transaction still in pre-commit) and on a participant silent past the vote timeout', () => {
    const { sim, x, y } = setup();
    const t1 = sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(only('prepare', 'vote'));
    const t2 = sim.txn('n3', [['r', x, null]]);
    sim.advance(LOCK_WAIT_MS + 20, only('prepare', 'vote'));
    expect(sim.replies.get(t2)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringMatching(/n1 refused: .* is locked by n1:1:1/) });
    sim.deliver();
    expect(sim.replies.get(t1)).toMatchObject({ type: 'ok' });

    const cut = (m: Msg): boolean => m.to !== 'n2' && m.from !== 'n2';
    const t3 = sim.txn('n1', [['append', x, 2], ['append', y, 2]]);
    sim.advance(VOTE_TIMEOUT_MS + 20, cut);
    expect(sim.replies.get(t3)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringContaining('no vote from n2') });
    sim.deliver();
    expect(sim.prepared('n2')).toBe(0);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([1]);
  });

  it('participants pre-committed when the coordinator dies commit on their own, where two-phase commit stays blocked', () => {
    const { sim, x, y } = setup();
    sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(only('prepare', 'vote', 'precommit'));
    sim.crash('n3');
    sim.advance(PRECOMMIT_TIMEOUT_MS - 20);
    expect(sim.prepared('n1')).toBe(1);
    sim.advance(40);
    expect(sim.prepared('n1') + sim.prepared('n2')).toBe(0);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([1]);
    // The locks are free: the next transaction on the same keys commits without the dead node.
    const next = sim.txn('n1', [['append', x, 2], ['r', y, null]]);
    sim.deliver();
    expect(sim.replies.get(next)).toEqual({ type: 'ok', value: [['append', x, 2], ['r', y, [1]]] });

    const twoPc = new Sim2pc(NODES);
    const [a, b] = [twoPc.keyOn('n1'), twoPc.keyOn('n2')];
    twoPc.txn('n3', [['append', a, 1], ['append', b, 1]]);
    twoPc.deliver((m) => m.msg.type !== 'decide');
    twoPc.crash('n3');
    twoPc.advance(10 * PRECOMMIT_TIMEOUT_MS);
    expect(twoPc.nodes.get('n1')!.status().prepared).toBe(1);
  });

  it('participants still uncertain when the coordinator dies abort on their own and free their locks', () => {
    const { sim, x, y } = setup();
    sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(only('prepare'));
    sim.crash('n3');
    sim.advance(UNCERTAIN_TIMEOUT_MS + 20);
    expect(sim.prepared('n1') + sim.prepared('n2')).toBe(0);
    expect(sim.disks.get('n1')!.map((r) => r.r)).toEqual(['boot', 'prepared', 'aborted']);
    expect(sim.list(x)).toEqual([]);
    const next = sim.txn('n2', [['append', x, 2], ['append', y, 2]]);
    sim.deliver();
    expect(sim.replies.get(next)).toMatchObject({ type: 'ok' });
  });

  it('known weakness: a partition between pre-commit and a participant splits the decision', () => {
    const { sim, x, y } = setup();
    const rid = sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(only('prepare', 'vote'));
    // The status the harness aims cuts by: n2 is uncertain in a transaction n1 coordinates (n1's own share does not count).
    expect(NODES.map((n) => sim.nodes.get(n)!.status(sim.now).uncertain)).toEqual([0, 1, 0]);
    // n2 voted yes; now it is cut off from n1 and never hears pre-commit.
    const cut = (m: Msg): boolean => m.to !== 'n2' && m.from !== 'n2';
    sim.advance(Math.max(ACK_TIMEOUT_MS, UNCERTAIN_TIMEOUT_MS) + 20, cut);
    expect(sim.replies.get(rid)).toMatchObject({ type: 'ok' });
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([]);
    expect(sim.disks.get('n2')!.map((r) => r.r)).toEqual(['boot', 'prepared', 'aborted']);
    // After the heal, the late pre-commit and do-commit change nothing: the append to y is lost.
    sim.advance(100);
    expect(sim.list(y)).toEqual([]);
  });

  it('known weakness, widened by lock waits: a participant that voted stays uncertain while another queues for a lock, and a cut then splits the decision', () => {
    const { sim, x, y } = setup();
    const holder = sim.txn('n2', [['append', y, 9]]);
    sim.deliver(only('prepare', 'vote'));
    // T: n1 locks x and votes yes at once; n2 queues for y behind the older holder.
    const t = sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.advance(100, only('prepare', 'vote'));
    expect(sim.replies.has(t)).toBe(false);
    expect(NODES.map((n) => sim.nodes.get(n)!.status(sim.now).uncertain)).toEqual([1, 0, 0]);
    // n1 is cut off while uncertain; the holder then commits and n2 votes yes.
    const cut = (m: Msg): boolean => m.to !== 'n1' && m.from !== 'n1';
    sim.advance(Math.max(ACK_TIMEOUT_MS, UNCERTAIN_TIMEOUT_MS) + 20, cut);
    expect(sim.replies.get(holder)).toMatchObject({ type: 'ok' });
    expect(sim.replies.get(t)).toMatchObject({ type: 'ok' });
    expect(sim.list(y)).toEqual([9, 1]);
    expect(sim.list(x)).toEqual([]);
  });

  it('reports as exposed, by how long, each writing participant on another node whose yes vote waits for the other votes', () => {
    const { sim, x, y, z } = setup();
    // An older transaction holds z (on n3) through pre-commit.
    sim.txn('n1', [['append', z, 9]]);
    sim.deliver(only('prepare', 'vote'));
    // T, coordinated by n3: n1 votes yes to an append, n2 to a read, n3's own append queues for z.
    const t = sim.txn('n3', [['append', x, 1], ['r', y, null], ['append', z, 1]]);
    sim.deliver(only('prepare', 'vote'));
    const votedAt = sim.now;
    sim.advance(100, only('vote'));
    // Only n1 loses a write if cut off now: n2 only read, and n3 is the coordinator itself.
    expect(sim.nodes.get('n3')!.status(sim.now).exposed).toEqual({ n1: sim.now - votedAt });
    expect(sim.nodes.get('n1')!.status(sim.now).exposed).toEqual({});
    // Every vote in: no longer exposed, pre-commit is on its way.
    sim.deliver();
    sim.advance(20);
    expect(sim.replies.get(t)).toMatchObject({ type: 'ok' });
    expect(sim.nodes.get('n3')!.status(sim.now).exposed).toEqual({});
  });

  it('keeps a participant exposed after the last vote until its pre-commit has left, once the pre-commit record was durable', () => {
    const ring = new Sim3pc().ring;
    const keyOn = (node: string): number => Array.from({ length: 1000 }, (_, k) => k).find((k) => ring.owner(k) === node)!;
    const coord = new TxnNode({ id: 'n3', nodes: NODES }, [], 0);
    coord.ready();
    coord.request('r1', { f: 'txn', model: 'list', value: [['append', keyOn('n1'), 1], ['append', keyOn('n2'), 1]] }, 0);
    coord.sent(coord.ready()!.messages);
    coord.receive({ type: 'vote', txn: 'n3:1:1', yes: true, reads: [], from: 'n1' }, 2);
    coord.receive({ type: 'vote', txn: 'n3:1:1', yes: true, reads: [], from: 'n2' }, 3);
    // Every vote is in; the pre-commit record is being made durable, the pre-commits wait for it.
    const batch = coord.ready()!;
    expect(batch.records).toEqual([{ r: 'precommit', txn: 'n3:1:1', participants: ['n1', 'n2'] }]);
    expect(coord.status(10).exposed).toEqual({ n1: 8, n2: 7 });
    coord.sent(batch.messages.filter((m) => m.to === 'n1'));
    expect(coord.status(11).exposed).toEqual({ n2: 8 });
    coord.sent(batch.messages);
    expect(coord.status(12).exposed).toEqual({});
  });

  it('comes back from its log: participants in the state they recorded, the coordinator sending do-commit again', () => {
    const { sim, x, y, z } = setup();
    sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(only('prepare', 'vote'));
    sim.deliver((m) => m.msg.type === 'precommit' && m.to === 'n1');
    sim.crash('n1');
    sim.crash('n2');
    sim.restart('n1');
    sim.restart('n2');
    expect(sim.prepared('n1')).toBe(1);
    expect(sim.nodes.get('n1')!.status(sim.now).precommitted).toBe(1);
    expect(sim.nodes.get('n2')!.status(sim.now).precommitted).toBe(0);
    // The coordinator, missing acknowledgements, commits after its timeout: n2, uncertain, hears it in time.
    sim.advance(ACK_TIMEOUT_MS + 20);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([1]);

    // Every acknowledgement in: the client has its ok, but the do-commits are lost with the coordinator.
    const t2 = sim.txn('n1', [['append', y, 2], ['append', z, 2]]);
    sim.deliver(only('prepare', 'vote', 'precommit', 'ack'));
    sim.drop(only('decide'));
    sim.crash('n1');
    sim.restart('n1');
    expect(sim.nodes.get('n1')!.incarnation).toBe(3);
    expect(sim.replies.get(t2)).toMatchObject({ type: 'ok' });
    sim.deliver();
    // No time passed: the restarted coordinator's do-commit, not a timeout, ended them.
    expect(sim.prepared('n2') + sim.prepared('n3')).toBe(0);
    expect(sim.list(y)).toEqual([1, 2]);
    expect(sim.list(z)).toEqual([2]);
  });

  it('checks peer messages strictly', () => {
    expect(isPeerMsg({ type: 'precommit', txn: 't', from: 'n1' })).toBe(true);
    expect(isPeerMsg({ type: 'ack', txn: 't', from: 'n1' })).toBe(true);
    expect(isPeerMsg({ type: 'query', txn: 't', from: 'n1' })).toBe(false);
    expect(isPeerMsg({ type: 'decide', txn: 't', from: 'n1' })).toBe(false);
    expect(isPeerMsg({ type: 'prepare', txn: 't', from: 'n1', model: 'register', ts: 0, ops: [[0, ['add', 'a', 5]]] })).toBe(true);
  });
});
