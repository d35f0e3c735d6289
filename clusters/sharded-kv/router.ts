/**
 * The requests a sharded-kv node relays: a client may ask any node for any key, and the node
 * sends the request to the replica it believes leads the key's shard (itself, when it does),
 * as a `forward` message over the peer network, and answers the client with what comes back.
 *
 * - **Whom to ask**: the leader named in the last refusal, else the leader this node's own
 *   replica of the shard follows, else the node last heard of as its leader (it announced so,
 *   with its term, or served the shard), else the shard's replicas in placement order; never a
 *   node already asked for this request.
 * - **A refusal** (`not-leader`: the request surely did not run) is tried again at the next
 *   candidate, up to once per replica; when none is left the client gets the refusal.
 * - **No answer**: a read (which has no effect) moves on to the next candidate after
 *   {@link READ_ATTEMPT_MS}, takes the first answer of any node it asked, and once every
 *   candidate was asked and none answered in time fails (`not-leader`, naming none), so a client cut off
 *   from a shard learns it at once; a write or cas may have run, so it is never sent twice: at the
 *   deadline the client gets `info: timeout`, outcome unknown.
 */
import type { KvRequest, KvResult } from '../../src/node/kv/protocol.js';
import type { Placement } from './placement.js';

/** A relayed request not answered by then is answered `info: timeout` (clients wait 2 s by default). */
export const FORWARD_TIMEOUT_MS = 1500;
/** A read whose target did not answer within this long is asked of the next candidate (or fails, when none is left). */
export const READ_ATTEMPT_MS = 300;

export interface RouterHost {
  readonly self: string;
  readonly placement: Placement;
  /** The leader this node's own replica of `shard` follows (this node, when it leads); undefined when it has none or knows none. */
  knownLeader(shard: number): string | undefined;
  /** Send the request to `to` (possibly this node) as forward `fid`. */
  forward(to: string, fid: string, shard: number, req: KvRequest): void;
  /** Answer the client request `rid`. */
  reply(rid: string, result: KvResult): void;
}

interface Relayed {
  rid: string;
  shard: number;
  req: KvRequest;
  deadline: number;
  /** The nodes asked so far, the current target last. */
  asked: string[];
  askedAt: number;
}

export class Router {
  private readonly relayed = new Map<string, Relayed>();
  /** shard → the node last heard of as its leader, and the highest term announced for it. */
  private readonly hints = new Map<number, { node: string; term: number }>();
  private seq = 0;

  constructor(
    private readonly host: RouterHost,
    /** Distinguishes this process's forward ids from an earlier run's. */
    private readonly incarnation: string,
  ) {}

  get size(): number {
    return this.relayed.size;
  }

  /** Relay the client request `rid`. */
  route(rid: string, req: KvRequest, now: number): void {
    const shard = this.host.placement.shardOf(req.key);
    const fid = `${this.incarnation}.${++this.seq}`;
    const r: Relayed = { rid, shard, req, deadline: now + FORWARD_TIMEOUT_MS, asked: [], askedAt: now };
    this.relayed.set(fid, r);
    this.ask(fid, r, undefined, now);
  }

  /** `node` announced that it leads `shard` in `term`; an announcement of an older term than one heard is stale. */
  leads(shard: number, node: string, term: number): void {
    const known = this.hints.get(shard);
    if (!known || term >= known.term) this.hints.set(shard, { node, term });
  }

  /** `from` answered forward `fid` with `result`. */
  answered(fid: string, from: string, result: KvResult, now: number): void {
    const r = this.relayed.get(fid);
    // A write is asked of one node at a time; a read takes the first answer of any node it asked.
    if (!r || (r.req.f === 'read' ? !r.asked.includes(from) : r.asked[r.asked.length - 1] !== from)) return;
    if (result.type === 'fail' && result.error === 'not-leader') {
      if (result.leader !== undefined) this.hint(r.shard, result.leader);
      else if (this.hints.get(r.shard)?.node === from) this.hints.delete(r.shard);
      if (this.ask(fid, r, result.leader, now)) return;
    } else if (result.type === 'ok' || (result.type === 'fail' && result.error === 'precondition-failed')) {
      this.hint(r.shard, from);
    }
    this.relayed.delete(fid);
    this.host.reply(r.rid, result);
  }

  /** Answer what passed its deadline; move reads whose target is silent on to the next candidate. */
  tick(now: number): void {
    for (const [fid, r] of this.relayed) {
      if (r.deadline <= now) {
        this.relayed.delete(fid);
        this.host.reply(r.rid, { type: 'info', error: 'timeout' });
      } else if (r.req.f === 'read' && now - r.askedAt >= READ_ATTEMPT_MS) {
        const silent = r.asked[r.asked.length - 1];
        if (silent !== undefined && this.hints.get(r.shard)?.node === silent) this.hints.delete(r.shard);
        if (!this.ask(fid, r, undefined, now)) {
          this.relayed.delete(fid);
          this.host.reply(r.rid, { type: 'fail', error: 'not-leader' });
        }
      }
    }
  }

  /** Take `node` as `shard`'s leader (learned from an answer: in the latest term heard of). */
  private hint(shard: number, node: string): void {
    this.hints.set(shard, { node, term: this.hints.get(shard)?.term ?? 0 });
  }

  /** Send `r` to the best candidate not asked yet; false when none is left. */
  private ask(fid: string, r: Relayed, named: string | undefined, now: number): boolean {
    const replicas = this.host.placement.replicas(r.shard);
    const candidates = [named, this.host.knownLeader(r.shard), this.hints.get(r.shard)?.node, ...replicas];
    const to = candidates.find((c): c is string => c !== undefined && replicas.includes(c) && !r.asked.includes(c));
    if (to === undefined) return false;
    r.asked.push(to);
    r.askedAt = now;
    this.host.forward(to, fid, r.shard, r.req);
    return true;
  }
}
