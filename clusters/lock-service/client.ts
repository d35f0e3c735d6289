/**
 * The faultline client of lock-service for the `lock` workload: one session per client (so per
 * process), opened on first use and kept alive in the background, as Chubby's client library
 * does. Operations: `acquire` (key: the lock) → the fencing token; `write` (value: a token) → a
 * write to the lock's fenced resource; `release` (value: the token).
 *
 * The client keeps its own view of its lease: it lasts `leaseMs` from when it sent the latest
 * request the service answered for the session, on the harness's monotonic clock. That is what
 * makes a hold meaningful in the history:
 * - an acquire answered so late that less than half the lease is left is not counted on: the
 *   client gives the lock back and reports the outcome unknown (`info`);
 * - a write is not sent once the lease has lapsed (`fail lease-lapsed`: surely not done);
 * - a release once the lease has lapsed reports `info`: the lock may have been lost any time
 *   since. A release refused while the lease holds (`not-holder`, `session-expired`) is a
 *   definite `fail`: the service took the lock from a holder inside its lease, which is what the
 *   mutex checker then finds.
 */
import { performance } from 'node:perf_hooks';
import type { Client, ClientContext, ClientFactory, Invocation } from '../../src/api/client.js';
import type { Completion } from '../../src/api/op.js';
import { IndeterminateError, isUnreachable, KvClient } from '../../src/node/kv/client.js';
import type { KvResponse } from '../../src/node/kv/protocol.js';
import type { LockRequest } from './protocol.js';

/** Renewals per lease. */
const RENEWALS_PER_LEASE = 4;

interface Session {
  id: string;
  leaseMs: number;
  /** performance.now() at which the lease lapses. */
  until: number;
}

export const lockClient: ClientFactory = {
  async open(ctx: ClientContext): Promise<Client> {
    return new LockClient(ctx);
  },
};

class LockClient implements Client {
  private readonly link: KvClient;
  /**
   * Renewals go on a connection of their own: a renewal that times out drops its connection, which
   * must not take an operation in flight down with it.
   */
  private readonly renewals: KvClient;
  private session: Session | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private opened = 0;
  private readonly closing = new AbortController();

  constructor(private readonly ctx: ClientContext) {
    const own = (): never => {
      throw new Error('the lock client sends its own requests');
    };
    this.link = new KvClient(ctx, own);
    this.renewals = new KvClient(ctx, own);
  }

  async invoke(op: Invocation, signal: AbortSignal): Promise<Completion> {
    const session = await this.ensureSession(signal);
    if (!session) return { type: 'fail', value: op.value, error: 'no-session: could not open one' };
    try {
      return await this.perform(session, op.key ?? 'lock', op, signal);
    } catch (err) {
      // Never sent: surely not done (a release is then retried by the workload).
      if (isUnreachable(err) && !signal.aborted && !(op.f === 'release' && performance.now() >= session.until)) {
        return { type: 'fail', value: op.value, error: err.message };
      }
      throw err;
    }
  }

  private async perform(session: Session, lock: string, op: Invocation, signal: AbortSignal): Promise<Completion> {
    switch (op.f) {
      case 'acquire': {
        const sent = performance.now();
        const res = await this.send({ f: 'acquire', session: session.id, key: lock }, signal, session);
        if (res.type === 'ok' && performance.now() > sent + session.leaseMs / 2) {
          void this.link.exchange({ f: 'release', session: session.id, key: lock, value: res.value as number }, Date.now() + 500, this.closing.signal).catch(() => undefined);
          throw new IndeterminateError('acquire answered too late to count on the lease; released');
        }
        return outcome(res, res.type === 'ok' ? res.value : op.value);
      }
      case 'write': {
        if (performance.now() >= session.until) return { type: 'fail', value: op.value, error: 'lease-lapsed' };
        return outcome(await this.send({ f: 'write', session: session.id, key: lock, value: token(op) }, signal, session), op.value);
      }
      case 'release': {
        const lapsed = performance.now() >= session.until;
        const res = await this.send({ f: 'release', session: session.id, key: lock, value: token(op) }, signal, session).catch((err: unknown) => {
          if (lapsed) throw new IndeterminateError('lease lapsed during the hold: the lock may have been lost any time since');
          throw err;
        });
        if (lapsed || performance.now() >= session.until) throw new IndeterminateError('lease lapsed during the hold: the lock may have been lost any time since');
        return outcome(res, op.value);
      }
      default:
        throw new Error(`the lock client cannot do "${op.f}"`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.keepalive);
    const s = this.session;
    this.session = undefined;
    if (s) {
      // Best effort: free the session's locks now rather than when its lease runs out.
      await this.link.exchange({ f: 'close', session: s.id }, Date.now() + 1000, this.closing.signal).catch(() => undefined);
    }
    this.closing.abort();
    await Promise.all([this.link.close(), this.renewals.close()]);
  }

  /** Send a session request; an answer renews the client's lease from when it was sent. */
  private async send(req: LockRequest, signal: AbortSignal, session: Session): Promise<KvResponse> {
    const sent = performance.now();
    const res = await this.link.exchange(req, Date.now() + this.ctx.timeoutMs, signal);
    this.heard(res, sent, session);
    return res;
  }

  private heard(res: KvResponse, sent: number, session: Session): void {
    if (res.type === 'ok') session.until = Math.max(session.until, sent + session.leaseMs);
    else if (res.type === 'fail' && (res.error as string) === 'session-expired' && this.session === session) this.endSession();
  }

  /** The open session, opening one when there is none; undefined when none could be opened. */
  private async ensureSession(signal: AbortSignal): Promise<Session | undefined> {
    if (this.session) return this.session;
    const id = `p${this.ctx.process}-${++this.opened}-${Math.random().toString(36).slice(2, 8)}`;
    const sent = performance.now();
    let res: KvResponse;
    try {
      res = await this.link.exchange({ f: 'open', session: id }, Date.now() + this.ctx.timeoutMs, signal);
    } catch {
      return undefined;
    }
    const leaseMs = res.type === 'ok' ? (res.value as { leaseMs?: unknown } | null)?.leaseMs : undefined;
    if (typeof leaseMs !== 'number') return undefined;
    const session: Session = { id, leaseMs, until: sent + leaseMs };
    this.session = session;
    this.keepalive = setInterval(() => void this.renew(session), leaseMs / RENEWALS_PER_LEASE);
    this.keepalive.unref();
    return session;
  }

  private async renew(session: Session): Promise<void> {
    const sent = performance.now();
    try {
      const res = await this.renewals.exchange({ f: 'keepalive', session: session.id }, Date.now() + session.leaseMs / 2, this.closing.signal);
      this.heard(res, sent, session);
    } catch {
      // The next renewal tries again; the lease lapses on its own if none gets through.
    }
  }

  private endSession(): void {
    clearInterval(this.keepalive);
    this.session = undefined;
  }
}

function token(op: Invocation): number {
  if (typeof op.value !== 'number') throw new Error(`${op.f} needs the token as its value, got ${JSON.stringify(op.value)}`);
  return op.value;
}

/** The completion for a reply: ok and fail are definite; anything else is unknown. */
function outcome(res: KvResponse, value: unknown): Completion {
  if (res.type === 'ok') return { type: 'ok', value };
  if (res.type === 'fail') return { type: 'fail', value, error: res.error };
  throw new IndeterminateError(res.error);
}
