/**
 * Where the shim sends each message, without I/O (so tests drive it directly):
 *
 * - a faultline client's request goes to the node as a message from that client; the node's reply
 *   (`dest` the client, `in_reply_to` the request's msg_id) answers it;
 * - a message the node writes for another node crosses faultline's network to that node's shim,
 *   which writes it to its node; one for itself comes straight back;
 * - a reply the node writes for a client that is not this shim's (a node that answers a request
 *   forwarded to it from another node directly to the client, as Maelstrom allows) goes to every
 *   peer shim, and the one that holds the request answers it;
 * - a request to anything else (a Maelstrom service such as `lin-kv` or `seq-kv`, which faultline
 *   does not provide) is answered at once with error 10, not-supported, so the node is not left
 *   waiting.
 */
import { destinationKind, isMaelstromMessage, NOT_SUPPORTED, type MaelstromBody, type MaelstromMessage } from './protocol.js';

/** What crosses faultline's network between shims. */
export type ShimMessage = { kind: 'node'; msg: MaelstromMessage } | { kind: 'client-reply'; msg: MaelstromMessage };

/** A shim message as the transport delivers it, stamped with its sender. */
export function isShimMessage(x: unknown): x is ShimMessage & { from: string } {
  const r = x as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.from === 'string' && (r.kind === 'node' || r.kind === 'client-reply') && isMaelstromMessage(r.msg);
}

export interface RouterOutputs {
  /** Write a message to this shim's node. */
  toNode(msg: MaelstromMessage): void;
  /** Send to the shim of `peer` over faultline's network. */
  toPeer(peer: string, msg: ShimMessage): void;
  /** Answer the faultline client request `rid` with the node's reply body. */
  answer(rid: string, body: MaelstromBody): void;
  warn(key: string, message: string, fields?: Record<string, unknown>): void;
}

/** A client request waiting for its reply. */
interface Pending {
  rid: string;
  expires: number;
}

export class Router {
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly self: string,
    private readonly nodes: readonly string[],
    private readonly out: RouterOutputs,
    /** Requests unanswered this long (longer than any client waits) are forgotten. */
    private readonly expireMs = 60_000,
  ) {}

  /** A faultline client's request `rid`: `body` sent to the node as from client `src`, at monotonic time `now`. */
  clientRequest(rid: string, src: string, body: MaelstromBody, now: number): void {
    if (typeof body.msg_id === 'number') this.pending.set(pendingKey(src, body.msg_id), { rid, expires: now + this.expireMs });
    this.out.toNode({ src, dest: this.self, body });
  }

  /** A message the node wrote. */
  fromNode(msg: MaelstromMessage): void {
    switch (destinationKind(msg.dest, this.nodes)) {
      case 'node':
        if (msg.dest === this.self) return this.out.toNode(msg);
        return this.out.toPeer(msg.dest, { kind: 'node', msg });
      case 'client':
        if (this.answerLocal(msg)) return;
        for (const peer of this.nodes) if (peer !== this.self) this.out.toPeer(peer, { kind: 'client-reply', msg });
        return;
      case 'other':
        this.out.warn(`other-${msg.dest}`, 'message to an unknown destination (faultline provides no Maelstrom services)', { dest: msg.dest, type: msg.body.type });
        if (typeof msg.body.msg_id === 'number') {
          this.out.toNode({
            src: msg.dest,
            dest: msg.src,
            body: { type: 'error', in_reply_to: msg.body.msg_id, code: NOT_SUPPORTED, text: `faultline does not provide ${msg.dest}` },
          });
        }
    }
  }

  /** A message from a peer's shim. */
  fromPeer(from: string, shim: ShimMessage): void {
    if (shim.kind === 'client-reply') {
      this.answerLocal(shim.msg);
      return;
    }
    if (shim.msg.dest !== this.self) return this.out.warn('misrouted', 'message for another node dropped', { from, dest: shim.msg.dest });
    this.out.toNode(shim.msg);
  }

  /** Forget requests expired at monotonic time `now`. */
  expire(now: number): void {
    for (const [key, p] of this.pending) if (p.expires <= now) this.pending.delete(key);
  }

  /** Answer a waiting request of this shim's clients with `msg`; false when none waits for it. */
  private answerLocal(msg: MaelstromMessage): boolean {
    const replyTo = msg.body.in_reply_to;
    if (typeof replyTo !== 'number') return false;
    const key = pendingKey(msg.dest, replyTo);
    const p = this.pending.get(key);
    if (!p) return false;
    this.pending.delete(key);
    this.out.answer(p.rid, msg.body);
    return true;
  }
}

const pendingKey = (client: string, msgId: number): string => `${client}#${msgId}`;
