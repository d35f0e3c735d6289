/**
 * One txn-3pc node's protocol core: a participant for the shards it owns and a coordinator for
 * the transactions its clients send it, over one log. Deterministic and free of I/O: it takes
 * client requests, peer messages and the passing of time, and hands out batches
 * (src/node/txn/outbox.ts) whose records the process makes durable before sending what follows
 * them.
 */
import { Outbox as TxnOutbox, type Batch } from '../../src/node/txn/outbox.js';
import type { Key, TxnRequest } from '../../src/node/txn/protocol.js';
import { Ring } from '../../src/node/txn/ring.js';
import { Coordinator } from './coordinator.js';
import { Participant } from './participant.js';
import type { Envelope, PeerMsg, Rec } from './protocol.js';

export interface TxnNodeConfig {
  id: string;
  nodes: readonly string[];
}

export interface TxnNodeStatus {
  id: string;
  incarnation: number;
  /** Transactions this node coordinates that are still undecided. */
  active: number;
  /** Transactions prepared here and not yet done, and how many of them are pre-committed. */
  prepared: number;
  precommitted: number;
  /** Transactions other nodes coordinate in which this node voted yes and has heard no pre-commit yet. */
  uncertain: number;
  /**
   * The coordinator's side of the same window: for each other node whose writing share voted yes
   * in a transaction this node coordinates and has not yet been sent pre-commit (other votes
   * awaited, or the pre-commit record not yet durable), how long (ms) the longest such wait has
   * lasted. A cut between the two now splits the decision and loses writes.
   */
  exposed: Record<string, number>;
}

export class TxnNode {
  readonly id: string;
  readonly incarnation: number;
  private readonly out = new TxnOutbox<Rec, PeerMsg>();
  private readonly participant: Participant;
  private readonly coordinator: Coordinator;

  /**
   * A node from its log (`records`, empty on first start): the next incarnation's boot record is
   * the first thing it hands out, and must be durable before the node takes requests.
   */
  constructor(config: TxnNodeConfig, records: readonly Rec[], now: number) {
    this.incarnation = 1 + records.reduce((max, r) => (r.r === 'boot' ? Math.max(max, r.incarnation) : max), 0);
    this.participant = new Participant(this.out);
    this.participant.restore(records, now);
    this.coordinator = new Coordinator(config.id, this.incarnation, new Ring(config.nodes), this.out);
    this.coordinator.restore(records);
    this.out.record({ r: 'boot', incarnation: this.incarnation });
    this.id = config.id;
  }

  request(rid: string, req: TxnRequest, now: number): void {
    this.coordinator.begin(rid, req.model, req.value, now);
  }

  receive(msg: Envelope, now: number): void {
    switch (msg.type) {
      case 'prepare':
        return this.participant.prepare(msg, now);
      case 'precommit':
        return this.participant.precommit(msg, now);
      case 'decide':
        return this.participant.decide(msg);
      case 'vote':
        return this.coordinator.vote(msg, now);
      case 'ack':
        return this.coordinator.ack(msg);
    }
  }

  tick(now: number): void {
    this.coordinator.tick(now);
    this.participant.tick(now);
  }

  ready(): Batch<Rec, PeerMsg> | undefined {
    return this.out.take();
  }

  /** A batch's messages left: a participant sent its pre-commit is no longer exposed. */
  sent(messages: readonly { to: string; msg: PeerMsg }[]): void {
    for (const { to, msg } of messages) if (msg.type === 'precommit') this.coordinator.precommitSent(msg.txn, to);
  }

  status(now: number): TxnNodeStatus {
    return {
      id: this.id,
      incarnation: this.incarnation,
      active: this.coordinator.activeCount(),
      prepared: this.participant.inDoubt(),
      precommitted: this.participant.precommitted(),
      uncertain: this.participant.uncertainElsewhere(this.id),
      exposed: this.coordinator.exposed(now),
    };
  }

  /** The committed list at `key`, when this node holds its shard (tests). */
  list(key: Key): readonly Key[] {
    return this.participant.list(key);
  }
}
