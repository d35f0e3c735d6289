// txn-2pc's protocol cores on a simulated network and disk (./sim.ts): commit and abort, locks
// held while prepared, definite aborts when a participant is cut off, recovery of in-doubt
// transactions after a coordinator or a participant crash, and what each known bug changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring } from '../../../src/node/txn/ring.js';
import { IN_DOUBT_MS } from '../../../clusters/txn-2pc/participant.js';
import { PREPARE_TIMEOUT_MS } from '../../../clusters/txn-2pc/coordinator.js';
import { LOCK_WAIT_MS } from '../../../src/node/txn/lock-wait.js';
import { parseTxnRequest, isPeerMsg } from '../../../clusters/txn-2pc/protocol.js';
import { TxnSim, type InFlight } from './sim.js';

const NODES = ['n1', 'n2', 'n3'];
const notDecide = (m: InFlight): boolean => m.msg.type !== 'decide';

/** A cluster and one key on each node: x on n1, y on n2, z on n3. */
function setup(bugs: string[] = []): { sim: TxnSim; x: number; y: number; z: number } {
  const sim = new TxnSim(NODES, bugs);
  return { sim, x: sim.keyOn('n1') as number, y: sim.keyOn('n2') as number, z: sim.keyOn('n3') as number };
}

describe('txn-2pc core', () => {
  it('commits a transaction across shards: reads in order, its own appends seen, the decision logged before phase 2', () => {
    const { sim, x, y, z } = setup();
    const rid = sim.txn('n1', [['append', x, 1], ['append', y, 2], ['r', z, null], ['r', x, null]]);
    sim.deliver();
    expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: [['append', x, 1], ['append', y, 2], ['r', z, null], ['r', x, [1]]] });
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([2]);
    expect(sim.disks.get('n1')).toContainEqual({ r: 'decision', txn: 'n1:1:1' });
    expect(sim.disks.get('n2')!.map((r) => r.r)).toEqual(['boot', 'prepared', 'committed']);
    const rid2 = sim.txn('n3', [['r', x, null], ['r', y, null]]);
    sim.deliver();
    expect(sim.replies.get(rid2)).toEqual({ type: 'ok', value: [['r', x, [1]], ['r', y, [2]]] });
    // A read-only transaction needs no decision record.
    expect(sim.disks.get('n3')!.filter((r) => r.r === 'decision')).toEqual([]);
  });

  it('holds locks while prepared: a younger transaction waits for an older holder, at most LOCK_WAIT_MS; an older one is refused at once', () => {
    const { sim, x, y } = setup();
    // `old` begins first, but its prepare reaches n1 only after the younger t1 locked x and y.
    const old = sim.txn('n3', [['r', x, null]]);
    sim.advance(10, (m) => m.from !== 'n3');
    const t1 = sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    sim.deliver((m) => m.from !== 'n3' && notDecide(m));
    expect(sim.replies.get(t1)).toMatchObject({ type: 'ok' });
    sim.deliver(notDecide);
    expect(sim.replies.get(old)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringMatching(/n1 refused: .* is locked by n1:1:1, a younger transaction/) });
    sim.advance(10, notDecide);
    const young = sim.txn('n2', [['append', y, 2]]);
    sim.advance(LOCK_WAIT_MS - 20, notDecide);
    expect(sim.replies.has(young)).toBe(false);
    sim.advance(40, notDecide);
    expect(sim.replies.get(young)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringMatching(/n2 refused: .* is locked by n1:1:1 \(waited 500 ms\)/) });
    sim.deliver();
    const t4 = sim.txn('n3', [['r', x, null], ['append', y, 3]]);
    sim.deliver();
    expect(sim.replies.get(t4)).toEqual({ type: 'ok', value: [['r', x, [1]], ['append', y, 3]] });
    expect(sim.list(y)).toEqual([1, 3]);
  });

  it('a transaction waiting for a lock prepares once the holder commits, and reads what it wrote', () => {
    const { sim, x, y } = setup();
    sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(notDecide);
    const waiter = sim.txn('n3', [['r', x, null], ['append', y, 2]]);
    sim.advance(100, notDecide);
    expect(sim.replies.has(waiter)).toBe(false);
    sim.advance(20);
    expect(sim.replies.get(waiter)).toEqual({ type: 'ok', value: [['r', x, [1]], ['append', y, 2]] });
    expect(sim.list(y)).toEqual([1, 2]);
  });

  it('no deadlock across shards: of two transactions locking x and y in opposite orders, the older is refused at once and the younger commits', () => {
    const { sim, x, y } = setup();
    const older = sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    const younger = sim.txn('n2', [['append', y, 2], ['append', x, 2]]);
    // Each first locks the key on its own node: older holds x, younger holds y.
    sim.deliver((m) => m.msg.type === 'prepare' && m.from === m.to);
    sim.deliver();
    expect(sim.replies.get(older)).toMatchObject({ type: 'fail', message: expect.stringContaining('a younger transaction') });
    sim.advance(20); // the younger's wait for x is retried once the older's abort released it
    expect(sim.replies.get(younger)).toMatchObject({ type: 'ok' });
    expect([sim.list(x), sim.list(y)]).toEqual([[2], [2]]);
  });

  it('a participant that does not answer in time aborts the transaction (definite), and a late prepare is rolled back', () => {
    const { sim, x, y } = setup();
    const cut = (m: InFlight): boolean => m.to !== 'n2' && m.from !== 'n2';
    const rid = sim.txn('n1', [['append', x, 1], ['append', y, 1]]);
    sim.advance(PREPARE_TIMEOUT_MS + 50, cut);
    expect(sim.replies.get(rid)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringContaining('no vote from n2') });
    sim.deliver();
    expect(sim.nodes.get('n2')!.status().prepared).toBe(0);
    expect(sim.list(x)).toEqual([]);
    expect(sim.list(y)).toEqual([]);
  });

  it('a coordinator killed after its decision is durable commits the in-doubt participants once it is back', () => {
    const { sim, x, y } = setup();
    const rid = sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver(notDecide);
    expect(sim.replies.get(rid)).toMatchObject({ type: 'ok' });
    sim.crash('n3');
    sim.advance(2 * IN_DOUBT_MS);
    expect(sim.nodes.get('n1')!.status().prepared).toBe(1);
    sim.restart('n3');
    sim.advance(IN_DOUBT_MS);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([1]);
    expect(sim.nodes.get('n3')!.incarnation).toBe(2);
  });

  it('a coordinator killed before deciding aborts the in-doubt participants once it is back', () => {
    const { sim, x, y } = setup();
    const rid = sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver((m) => m.msg.type === 'prepare');
    sim.crash('n3');
    sim.restart('n3');
    sim.advance(2 * IN_DOUBT_MS);
    expect(sim.replies.has(rid)).toBe(false);
    expect(sim.nodes.get('n1')!.status().prepared).toBe(0);
    expect(sim.list(x)).toEqual([]);
    const next = sim.txn('n3', [['append', x, 2]]);
    sim.deliver();
    expect(sim.replies.get(next)).toMatchObject({ type: 'ok' });
    // Ids of the new incarnation never collide with the lost transaction's.
    expect(sim.disks.get('n3')).toContainEqual({ r: 'decision', txn: 'n3:2:1' });
  });

  it('a participant killed while prepared comes back holding its locks, then learns the outcome', () => {
    const { sim, x, y } = setup();
    const rid = sim.txn('n1', [['append', x, 1], ['r', y, null], ['append', y, 7]]);
    sim.deliver((m) => m.to !== 'n2' || m.msg.type !== 'decide');
    expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: [['append', x, 1], ['r', y, null], ['append', y, 7]] });
    sim.crash('n2');
    sim.restart('n2');
    // A reader waits for the lock the reloaded prepare holds, until n2 asks n1 and commits.
    const blocked = sim.txn('n3', [['r', y, null]]);
    sim.deliver();
    expect(sim.replies.has(blocked)).toBe(false);
    sim.advance(LOCK_WAIT_MS - 20);
    expect(sim.replies.get(blocked)).toEqual({ type: 'ok', value: [['r', y, [7]]] });
  });

  it('bug read-uncommitted: a read sees a prepared append whose transaction then aborts', () => {
    for (const bugs of [[], ['read-uncommitted']]) {
      const { sim, x, y } = setup(bugs);
      const holder = sim.txn('n2', [['append', y, 9]]);
      sim.deliver(notDecide);
      expect(sim.replies.get(holder)).toMatchObject({ type: 'ok' });
      // T1 prepares x on n1 but n2 refuses y: T1 aborts, though n1 has not heard yet.
      const t1 = sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
      sim.advance(LOCK_WAIT_MS + 20, notDecide);
      expect(sim.replies.get(t1)).toMatchObject({ type: 'fail', error: 'aborted' });
      const reader = sim.txn('n3', [['r', x, null]]);
      sim.advance(bugs.length === 0 ? LOCK_WAIT_MS + 20 : 0, notDecide);
      sim.deliver(notDecide);
      if (bugs.length === 0) expect(sim.replies.get(reader)).toMatchObject({ type: 'fail', error: 'aborted' });
      else expect(sim.replies.get(reader)).toEqual({ type: 'ok', value: [['r', x, [1]]] });
      sim.deliver();
      expect(sim.list(x)).toEqual([]);
    }
  });

  it('bug commit-before-all-prepared: a majority of yes votes commits, and the refusing shard loses its append', () => {
    for (const bugs of [[], ['commit-before-all-prepared']]) {
      const { sim, x, y, z } = setup(bugs);
      sim.txn('n3', [['r', z, null]]);
      sim.deliver(notDecide);
      const rid = sim.txn('n1', [['append', x, 1], ['append', y, 1], ['append', z, 1]]);
      sim.deliver(notDecide);
      if (bugs.length === 0) sim.advance(LOCK_WAIT_MS + 20, notDecide);
      if (bugs.length === 0) {
        expect(sim.replies.get(rid)).toMatchObject({ type: 'fail', error: 'aborted', message: expect.stringContaining('n3 refused') });
        sim.deliver();
        expect([sim.list(x), sim.list(y), sim.list(z)]).toEqual([[], [], []]);
      } else {
        expect(sim.replies.get(rid)).toMatchObject({ type: 'ok' });
        sim.deliver();
        expect([sim.list(x), sim.list(y), sim.list(z)]).toEqual([[1], [1], []]);
      }
    }
  });

  it('bug no-coordinator-log: after a coordinator crash, in-doubt participants hear abort for a transaction the client saw commit', () => {
    const { sim, x, y } = setup(['no-coordinator-log']);
    const rid = sim.txn('n3', [['append', x, 1], ['append', y, 1]]);
    sim.deliver((m) => m.to !== 'n2' || m.msg.type !== 'decide');
    expect(sim.replies.get(rid)).toMatchObject({ type: 'ok' });
    expect(sim.disks.get('n3')!.filter((r) => r.r === 'decision')).toEqual([]);
    sim.crash('n3');
    sim.restart('n3');
    sim.advance(2 * IN_DOUBT_MS);
    expect(sim.list(x)).toEqual([1]);
    expect(sim.list(y)).toEqual([]);
  });

  it('a repeated prepare gets the same vote, read results included, even after a restart', () => {
    const { sim, x } = setup();
    sim.txn('n1', [['append', x, 4]]);
    sim.deliver();
    sim.txn('n2', [['r', x, null]]);
    const prepare = sim.inFlight.find((m) => m.msg.type === 'prepare')!;
    sim.deliver((m) => m.msg.type === 'prepare');
    const vote = sim.inFlight.find((m) => m.msg.type === 'vote')!;
    sim.crash('n1');
    sim.restart('n1');
    sim.inFlight.push(prepare);
    sim.deliver((m) => m.msg.type === 'prepare');
    expect(sim.inFlight.filter((m) => m.msg.type === 'vote')).toEqual([vote]);
  });

  it('rw-register transactions: a write sets the register, reads see the last committed value (and, buggy, a prepared one)', () => {
    for (const bugs of [[], ['read-uncommitted']]) {
      const { sim, x, y } = setup(bugs);
      const t1 = sim.txn('n1', [['w', x, 1], ['r', x, null], ['w', x, 2], ['w', y, 3]], 'register');
      sim.deliver();
      expect(sim.replies.get(t1)).toEqual({ type: 'ok', value: [['w', x, 1], ['r', x, 1], ['w', x, 2], ['w', y, 3]] });
      expect(sim.list(x)).toEqual([2]);
      const held = sim.txn('n3', [['w', x, 5]], 'register');
      sim.deliver(notDecide);
      expect(sim.replies.get(held)).toMatchObject({ type: 'ok' });
      const reader = sim.txn('n2', [['r', x, null], ['r', y, null]], 'register');
      sim.advance(bugs.length === 0 ? LOCK_WAIT_MS + 20 : 0, notDecide);
      sim.deliver(notDecide);
      if (bugs.length === 0) expect(sim.replies.get(reader)).toMatchObject({ type: 'fail', error: 'aborted' });
      else expect(sim.replies.get(reader)).toEqual({ type: 'ok', value: [['r', x, 5], ['r', y, 3]] });
      sim.deliver();
      expect(sim.list(x)).toEqual([5]);
    }
  });

  it('parses client requests and peer messages strictly', () => {
    expect(parseTxnRequest('{"id":1,"f":"txn","value":[["append",1,2],["r","k",null]]}')).toEqual({ kind: 'kv', id: 1, req: { f: 'txn', model: 'list', value: [['append', 1, 2], ['r', 'k', null]] } });
    expect(parseTxnRequest('{"id":1,"f":"txn","value":[["r",1,[2]]]}')).toMatchObject({ kind: 'bad' });
    expect(parseTxnRequest('{"id":1,"f":"txn","value":[]}')).toMatchObject({ kind: 'bad' });
    expect(parseTxnRequest('{"id":1,"f":"txn","value":[["w",1,2]]}')).toMatchObject({ kind: 'bad' });
    expect(parseTxnRequest('{"id":1,"f":"txn","registers":true,"value":[["append",1,2]]}')).toMatchObject({ kind: 'bad' });
    expect(parseTxnRequest('{"id":1,"f":"txn","registers":true,"value":[["w",1,2],["r",1,null]]}')).toMatchObject({ req: { model: 'register' } });
    expect(parseTxnRequest('{"id":1,"f":"read","key":"k"}')).toMatchObject({ kind: 'bad' });
    expect(isPeerMsg({ from: 'n1', type: 'prepare', txn: 't', model: 'list', ts: 3, ops: [[0, ['append', 1, 2]]] })).toBe(true);
    expect(isPeerMsg({ from: 'n1', type: 'prepare', txn: 't', model: 'list', ts: 3, ops: [[0, ['put', 1, 2]]] })).toBe(false);
    expect(isPeerMsg({ from: 'n1', type: 'prepare', txn: 't', ts: 3, ops: [[0, ['append', 1, 2]]] })).toBe(false);
    expect(isPeerMsg({ from: 'n1', type: 'prepare', txn: 't', model: 'list', ops: [[0, ['append', 1, 2]]] })).toBe(false);
    expect(isPeerMsg({ from: 'n1', type: 'decide', txn: 't' })).toBe(false);
  });
});

describe('txn-2pc ring', () => {
  it('spreads keys over every node', () => {
    const ring = new Ring(['n1', 'n2', 'n3', 'n4', 'n5']);
    const counts = new Map<string, number>();
    for (let k = 0; k < 5000; k++) counts.set(ring.owner(k), (counts.get(ring.owner(k)) ?? 0) + 1);
    expect(counts.size).toBe(5);
    for (const c of counts.values()) expect(c).toBeGreaterThan(500);
  });

  it('property: removing a node moves only the keys it held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 7 }), fc.nat(), fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 200 }), (n, gone, keys) => {
        const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
        const leaving = nodes[gone % n]!;
        const before = new Ring(nodes);
        const after = new Ring(nodes.filter((x) => x !== leaving));
        for (const k of keys) if (before.owner(k) !== leaving) expect(after.owner(k)).toBe(before.owner(k));
      }),
    );
  });

  it('tells 1 from "1"', () => {
    const ring = new Ring(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const differ = Array.from({ length: 50 }, (_, k) => ring.owner(k) !== ring.owner(String(k)));
    expect(differ).toContain(true);
  });
});
