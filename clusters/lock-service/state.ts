/**
 * The replicated state of the lock service, applied in log order on every node: sessions, the
 * named locks they hold, the fencing-token counter, and one fenced resource per lock name (a
 * register that accepts a write only with a token at least as high as any it accepted before:
 * what a storage service guarded by the lock would check). Deterministic, so every replica
 * applying the same commands reaches the same state.
 *
 * Lease timing is not here: when a session expires is the leader's call, on its clock
 * (./leases.ts), and reaches the state as an `expire` command through the log. An `expire`
 * carries how many renewals the session had when the leader decided, so a renewal that
 * committed in between cancels it.
 */
import type { KvResult } from '../../src/node/kv/protocol.js';

export type LockCommand =
  | { op: 'noop' }
  | { op: 'open'; session: string; rid?: string }
  | { op: 'keepalive'; session: string; rid?: string }
  /** `token`: chosen by the leader when proposed (bug no-fencing); otherwise the state's next. */
  | { op: 'acquire'; session: string; lock: string; token?: number; rid?: string }
  | { op: 'release'; session: string; lock: string; token: number; rid?: string }
  /** A write to the lock's fenced resource, stamped with the writer's token. */
  | { op: 'write'; session: string; lock: string; token: number; rid?: string }
  | { op: 'close'; session: string; rid?: string }
  | { op: 'expire'; session: string; renewals: number };

export interface Holder {
  session: string;
  token: number;
}

export class LockState {
  /** Open sessions and how many times each was renewed (any request of it counts). */
  private readonly sessions = new Map<string, number>();
  private readonly locks = new Map<string, Holder>();
  /** Per lock name: the highest token its fenced resource accepted. */
  private readonly fenced = new Map<string, number>();
  private lastToken = 0;

  /** `checkTokens` false: the fenced resources accept any token (bug no-fencing). */
  constructor(private readonly checkTokens = true) {}

  /** The highest token granted so far. */
  get highestToken(): number {
    return this.lastToken;
  }

  hasSession(session: string): boolean {
    return this.sessions.has(session);
  }

  renewals(session: string): number | undefined {
    return this.sessions.get(session);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  holder(lock: string): Holder | undefined {
    return this.locks.get(lock);
  }

  /** Apply one command; the result is the reply to the client that proposed it. */
  apply(cmd: LockCommand): KvResult {
    switch (cmd.op) {
      case 'noop':
        return { type: 'ok', value: null };
      case 'open':
        this.sessions.set(cmd.session, (this.sessions.get(cmd.session) ?? 0) + 1);
        return { type: 'ok', value: null };
      case 'expire':
        if (this.sessions.get(cmd.session) !== cmd.renewals) return { type: 'ok', value: false };
        this.end(cmd.session);
        return { type: 'ok', value: true };
      case 'close':
        this.end(cmd.session);
        return { type: 'ok', value: null };
    }
    const renewed = this.sessions.get(cmd.session);
    if (renewed === undefined) return refused('session-expired');
    this.sessions.set(cmd.session, renewed + 1);
    switch (cmd.op) {
      case 'keepalive':
        return { type: 'ok', value: null };
      case 'acquire':
        return this.acquire(cmd.session, cmd.lock, cmd.token);
      case 'release': {
        const h = this.locks.get(cmd.lock);
        if (!h || h.session !== cmd.session || h.token !== cmd.token) return refused('not-holder');
        this.locks.delete(cmd.lock);
        return { type: 'ok', value: cmd.token };
      }
      case 'write': {
        const highest = this.fenced.get(cmd.lock) ?? 0;
        if (this.checkTokens && cmd.token < highest) return refused('stale-token');
        this.fenced.set(cmd.lock, Math.max(highest, cmd.token));
        return { type: 'ok', value: cmd.token };
      }
    }
  }

  private acquire(session: string, lock: string, proposed: number | undefined): KvResult {
    // Held, even by this session: a lock is not re-entrant, each grant is one hold.
    if (this.locks.has(lock)) return refused('held');
    const token = proposed ?? this.lastToken + 1;
    this.lastToken = Math.max(this.lastToken, token);
    this.locks.set(lock, { session, token });
    return { type: 'ok', value: token };
  }

  /** The session is gone, and every lock it held is free. */
  private end(session: string): void {
    this.sessions.delete(session);
    for (const [lock, h] of this.locks) if (h.session === session) this.locks.delete(lock);
  }
}

export type Refusal = 'held' | 'not-holder' | 'stale-token' | 'session-expired';

/**
 * A definite refusal: the command was applied and changed nothing. The bundled nodes' reply type
 * names the key-value refusals only; the wire carries any `error` string.
 */
function refused(error: Refusal): KvResult {
  return { type: 'fail', error } as unknown as KvResult;
}
