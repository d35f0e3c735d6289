/**
 * Seeded transactional histories from a serial execution, of any size and concurrency, for the
 * `elle` benchmark and the checker's property tests.
 *
 * Why built this way: a history is strict-serializable by construction when every transaction
 * takes effect at one instant inside its real-time interval and the results are those of the
 * transactions run one by one in the order of those instants. So each client process runs
 * transactions one after another with random latencies (overlapping the other processes'),
 * a discrete-event loop takes every process's next event (invoke, commit point, complete) in
 * time order, applies committed transactions to an in-memory store at their commit points, and
 * records invocations and completions as they happen. Some transactions fail (they never take
 * effect) and some time out as `info` (a coin decides whether they took effect); after an
 * `info` the process continues under a new number, as a Jepsen client does. Keys are drawn from
 * a window of active keys; a key that has taken `maxWritesPerKey` writes is replaced by a fresh
 * one (Elle's generator), which keeps list reads short.
 */
import type { Op, OpType } from '../src/api/op.js';
import type { TxnKind } from '../src/api/txn.js';
import { Rng } from '../src/gen/rng.js';
import { LATENCY_MAX_NS, LATENCY_MIN_NS, THINK_MAX_NS } from './generated.js';

export interface TxnSimOptions {
  txns: number;
  /** Client processes running at once. */
  processes: number;
  kind: TxnKind;
  seed: number;
  /** Keys in use at once (default 10). */
  keys?: number;
  /** Writes a key takes before it is retired (default 32). */
  maxWritesPerKey?: number;
  /** Micro-operations per transaction, at most (default 4; at least 1). */
  maxTxnLength?: number;
  /** Chance that a transaction fails / times out (defaults 0.02 / 0.01). */
  failRate?: number;
  infoRate?: number;
}

type Mop = [string, unknown, unknown];
type Fate = 'ok' | 'fail' | 'info-applied' | 'info-lost';

interface Client {
  process: number;
  /** 0: idle (next event invokes), 1: invoked (next event commits), 2: committed (next completes). */
  phase: 0 | 1 | 2;
  next: number;
  commitAt: number;
  completeAt: number;
  mops: Mop[];
  results: Mop[];
  fate: Fate;
}

/** A binary min-heap of client indices by their next event time. */
class Agenda {
  private readonly heap: number[] = [];
  constructor(private readonly clients: Client[]) {}
  push(i: number): void {
    const h = this.heap;
    h.push(i);
    for (let j = h.length - 1; j > 0; ) {
      const p = (j - 1) >> 1;
      if (this.at(h[p]!) <= this.at(h[j]!)) break;
      [h[p], h[j]] = [h[j]!, h[p]!];
      j = p;
    }
  }
  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let j = 0; ; ) {
        const l = 2 * j + 1;
        const r = l + 1;
        let m = j;
        if (l < h.length && this.at(h[l]!) < this.at(h[m]!)) m = l;
        if (r < h.length && this.at(h[r]!) < this.at(h[m]!)) m = r;
        if (m === j) break;
        [h[m], h[j]] = [h[j]!, h[m]!];
        j = m;
      }
    }
    return top;
  }
  private at(i: number): number {
    return this.clients[i]!.next;
  }
}

/** Keys and their next values: a window of active keys, each retired after its quota of writes. */
class KeySpace {
  private readonly active: number[];
  private readonly written = new Map<number, number>();
  private fresh: number;
  constructor(
    count: number,
    private readonly quota: number,
  ) {
    this.active = Array.from({ length: count }, (_, i) => i);
    this.fresh = count;
  }
  pick(rng: Rng): number {
    return rng.pick(this.active);
  }
  /** The next unique value for key k (1, 2, ...), retiring k once it has had its quota. */
  nextValue(k: number): number {
    const v = (this.written.get(k) ?? 0) + 1;
    this.written.set(k, v);
    if (v >= this.quota) {
      const i = this.active.indexOf(k);
      if (i >= 0) this.active[i] = this.fresh++;
    }
    return v;
  }
}

export function simulateTxnHistory(opts: TxnSimOptions): Op[] {
  const rng = new Rng(opts.seed);
  const keys = new KeySpace(opts.keys ?? 10, opts.maxWritesPerKey ?? 32);
  const maxLen = Math.max(1, opts.maxTxnLength ?? 4);
  const failRate = opts.failRate ?? 0.02;
  const infoRate = opts.infoRate ?? 0.01;
  const write = opts.kind === 'list-append' ? 'append' : 'w';
  const lists = new Map<number, number[]>();
  const registers = new Map<number, number>();
  const ops: Op[] = [];
  const emit = (c: Client, type: OpType, value: unknown, error?: string): void => {
    const op: Op = { index: ops.length, time: Math.round(c.next), type, process: c.process, f: 'txn', value };
    if (error) op.error = error;
    ops.push(op);
  };
  const clients: Client[] = Array.from({ length: opts.processes }, (_, p) => ({
    process: p,
    phase: 0,
    next: rng.int(THINK_MAX_NS),
    commitAt: 0,
    completeAt: 0,
    mops: [],
    results: [],
    fate: 'ok',
  }));
  const agenda = new Agenda(clients);
  clients.forEach((_, i) => agenda.push(i));
  let invoked = 0;
  let open = 0;
  while (invoked < opts.txns || open > 0) {
    const i = agenda.pop();
    const c = clients[i]!;
    if (c.phase === 0) {
      if (invoked >= opts.txns) continue; // This client is done.
      invoked++;
      open++;
      c.mops = [];
      const len = 1 + rng.int(maxLen);
      for (let j = 0; j < len; j++) {
        const k = keys.pick(rng);
        c.mops.push(rng.float() < 0.5 ? ['r', k, null] : [write, k, keys.nextValue(k)]);
      }
      const roll = rng.float();
      c.fate = roll < failRate ? 'fail' : roll < failRate + infoRate ? (rng.float() < 0.5 ? 'info-applied' : 'info-lost') : 'ok';
      emit(c, 'invoke', c.mops);
      const latency = LATENCY_MIN_NS + rng.float() * (LATENCY_MAX_NS - LATENCY_MIN_NS);
      c.commitAt = c.next + rng.float() * latency;
      c.completeAt = c.next + latency;
      c.phase = 1;
      c.next = c.commitAt;
    } else if (c.phase === 1) {
      if (c.fate === 'ok' || c.fate === 'info-applied') c.results = c.mops.map((m) => apply(m, opts.kind, lists, registers));
      c.phase = 2;
      c.next = c.completeAt;
    } else {
      open--;
      if (c.fate === 'ok') emit(c, 'ok', c.results);
      else if (c.fate === 'fail') emit(c, 'fail', c.mops, 'aborted');
      else {
        emit(c, 'info', c.mops, 'indeterminate: timed out');
        c.process += opts.processes; // A Jepsen client continues as a fresh process after info.
      }
      c.phase = 0;
      c.next += rng.float() * THINK_MAX_NS;
    }
    agenda.push(i);
  }
  return ops;
}

/** Run one micro-operation against the store; returns it with its result (a missing list reads as null, as in Jepsen). */
function apply(m: Mop, kind: TxnKind, lists: Map<number, number[]>, registers: Map<number, number>): Mop {
  const k = m[1] as number;
  if (m[0] === 'append') {
    const list = lists.get(k);
    if (list) list.push(m[2] as number);
    else lists.set(k, [m[2] as number]);
    return m;
  }
  if (m[0] === 'w') {
    registers.set(k, m[2] as number);
    return m;
  }
  if (kind === 'list-append') return ['r', k, lists.has(k) ? [...lists.get(k)!] : null];
  return ['r', k, registers.get(k) ?? null];
}
