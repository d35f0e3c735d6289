/**
 * One gossip-counter replica, without I/O: its PN-counter state, its clients' adds, and the states
 * its peers send. Time comes in as monotonic milliseconds, so tests drive it directly.
 *
 * Gossip alone would make the counter converge but let a read miss an add acknowledged a moment
 * ago at another node. So, as a Dynamo-style CRDT store does, an add is acknowledged once a
 * majority holds it (the adding node pushes its state and waits for a majority of the nodes,
 * itself included, to have merged it durably), and a read merges the states of a majority
 * before it answers: any two majorities share a node, so a read sees every add acknowledged
 * before it began. Periodic gossip of the whole state brings every replica up to date.
 */
import type { Bugs } from './bugs.js';
import { addAt, isPnState, mergeInto, valueOf, type PnState } from './pn-counter.js';

/** A peer heard from again after this long without a word counts as "back" (double-apply's trigger). */
export const SILENCE_MS = 1000;

/**
 * Peer messages: `gossip` (periodic), `push` (an add's state; answered by `pushed` once merged
 * and durable), `pull` (a read's request; answered by `state`). `rid` ties answers to requests.
 */
export type CounterMessage =
  | { type: 'gossip'; state: PnState }
  | { type: 'push'; state: PnState; rid: string }
  | { type: 'pushed'; rid: string }
  | { type: 'pull'; rid: string }
  | { type: 'state'; state: PnState; rid: string };

export function isCounterMessage(x: unknown): x is CounterMessage & { from: string } {
  const r = x as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || typeof r.from !== 'string') return false;
  const rid = typeof r.rid === 'string';
  switch (r.type) {
    case 'gossip':
      return isPnState(r.state);
    case 'push':
    case 'state':
      return rid && isPnState(r.state);
    case 'pushed':
    case 'pull':
      return rid;
    default:
      return false;
  }
}

export class Replica {
  /** Monotonic time each peer was last heard from. */
  private readonly lastHeard = new Map<string, number>();

  constructor(
    readonly self: string,
    private readonly bugs: Bugs,
    private readonly state: PnState,
    private readonly log: (message: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  /** A client's add, counted at this node; returns the new value. */
  add(delta: number): number {
    addAt(this.state, this.self, delta);
    return valueOf(this.state);
  }

  value(): number {
    return valueOf(this.state);
  }

  /** A copy of the whole state: what to gossip, push or save. */
  snapshot(): PnState {
    return { p: { ...this.state.p }, n: { ...this.state.n } };
  }

  /** A peer's state, received at monotonic time `now`. */
  receive(from: string, incoming: PnState, now: number): void {
    const last = this.lastHeard.get(from);
    this.lastHeard.set(from, now);
    const sum = this.bugs.has('double-apply') && last !== undefined && now - last > SILENCE_MS;
    if (sum) this.log("bug double-apply: adding a returning peer's state", { from });
    // The own entries only this node raises; a peer's copy of them is never newer.
    const others = { p: { ...incoming.p }, n: { ...incoming.n } };
    delete others.p[this.self];
    delete others.n[this.self];
    mergeInto(this.state, others, sum);
  }
}
