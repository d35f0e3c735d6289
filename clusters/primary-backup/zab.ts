/**
 * The primary-backup core, Zab-like: a deterministic state machine with no I/O (inputs
 * `receive`, `tick`, `request`; outputs drained with `ready()`), driven by node.ts in a process
 * and by a simulated network in the tests.
 *
 * - Election and recovery (./discovery.ts): a new primary is elected for a new epoch, which a
 *   node joins only if it is newer than any it joined (`accepted`, durable), and takes the
 *   history of the most up-to-date node of the majority that joined. It serves nothing until
 *   that history is on a majority. This module is the node around it, sync and broadcast.
 * - Sync: each backup is brought to exactly the primary's history (a diff after its commit point,
 *   NEWLEADER), and records the epoch as its `current` one.
 * - Broadcast: writes are appended in order and sent to synced backups; an index acknowledged by
 *   a majority (the primary included) is committed, and every node applies committed entries in
 *   order. The commit point travels with the appends and heartbeats.
 * - Reads (read-mode read-index): answered once the epoch's history is committed, a heartbeat
 *   round sent after the read arrived is acknowledged by a majority still in this epoch, and the
 *   state machine has applied what was committed when it arrived. In read-mode log a read is an
 *   entry of its own.
 * - A primary steps down when a message shows a newer epoch, or when it has not heard from a
 *   majority for checkQuorumMs.
 *
 * Epochs and history records are handed out in `ready()` to be made durable before any message
 * of the same batch is sent (bug ack-before-persist holds the history back; see below).
 */
import { notLeader, type KvRequest, type KvResult, type NodeStatus, type Role } from '../../src/node/kv/protocol.js';
import { LeaderRequests } from '../../src/node/kv/requests.js';
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import { commandFor, KvStateMachine } from '../../src/node/kv/state-machine.js';
import type { PbConfig } from './config.js';
import { Discovery, type Body, type DiscoveryHost, type Recovered } from './discovery.js';
import type { HistoryRecord, History } from './history.js';
import type { Ack, Append, Entry, PbMessage, Sync } from './messages.js';
import { Primacy } from './primary.js';
import { recover, type Epochs, type Persisted } from './recovery.js';

export interface Ready {
  /** The epochs, to be written before anything else in the batch is sent. */
  epochs?: Epochs;
  records?: HistoryRecord[];
  messages: { to: string; msg: PbMessage }[];
  replies: { rid: string; result: KvResult }[];
}

export class Zab {
  readonly sm = new KvStateMachine();
  readonly history: History;
  private epochs: Epochs;
  private saved: Epochs;
  private maxSeen: number;
  private applied = 0;
  private leader: string | null = null;
  private readonly discovery: Discovery;
  private prim: Primacy | undefined;
  private electionDeadline = 0;
  private heartbeatDue = 0;
  private roundWanted = false;
  /** Bug ack-before-persist: when the log writer next writes the history out. */
  private nextFlush = 0;
  private readonly lazy: boolean;
  private readonly unchecked: boolean;
  private readonly peers: string[];
  private readonly quorum: number;
  private readonly requests: LeaderRequests;
  private out: Ready['messages'] = [];
  private replies: Ready['replies'] = [];

  constructor(
    private readonly cfg: PbConfig,
    private readonly env: CoreEnv,
    persisted: Persisted,
  ) {
    this.peers = cfg.nodes.filter((n) => n !== cfg.id);
    this.quorum = Math.floor(cfg.nodes.length / 2) + 1;
    this.lazy = cfg.bugs.has('ack-before-persist');
    this.unchecked = cfg.bugs.has('no-epoch-check');
    this.requests = new LeaderRequests((rid, result) => this.replies.push({ rid, result }));
    ({ epochs: this.epochs, history: this.history } = recover(env, persisted));
    this.saved = { ...this.epochs };
    this.maxSeen = this.epochs.accepted;
    this.discovery = new Discovery(cfg.id, env, this.discoveryHost());
    this.apply();
    this.resetElectionTimer();
    env.log('info', 'recovered', { accepted: this.epochs.accepted, current: this.epochs.current, last: this.history.lastIndex, commit: this.history.commit });
  }

  get acceptedEpoch(): number {
    return this.epochs.accepted;
  }

  get currentEpoch(): number {
    return this.epochs.current;
  }

  get role(): Role {
    return this.prim ? 'leader' : this.discovery.discovering ? 'candidate' : 'follower';
  }

  /** A primary whose epoch's history is committed: it serves reads. */
  serving(): boolean {
    return !!this.prim && this.history.commit >= this.prim.initialLast;
  }

  status(): NodeStatus {
    const leader = this.prim ? this.cfg.id : this.leader;
    return { id: this.cfg.id, role: this.role, term: this.epochs.accepted, leader, commitIndex: this.history.commit };
  }

  // ---- inputs ----

  tick(): void {
    const now = this.env.mono();
    if (this.prim) {
      if (now >= this.heartbeatDue) this.heartbeat(now);
      // Bug no-epoch-check: answers of any epoch look alike, so any backup that answers keeps it going.
      const need = this.unchecked ? 2 : this.quorum;
      if (this.prim && !this.prim.rounds.hasContact(now, this.cfg.checkQuorumMs, need)) {
        this.env.log('warn', 'stepping down: no contact with a majority', { epoch: this.prim.epoch });
        this.stepDown();
      }
    } else if (now >= this.electionDeadline) {
      this.discovery.start();
    }
    this.requests.expire(now);
  }

  receive(m: PbMessage): void {
    if (!this.peers.includes(m.from)) return;
    // Probes name epochs nobody joined yet; everything else names a real one.
    if (m.type !== 'probe' && m.type !== 'probe-reply' && m.epoch > this.maxSeen) this.maxSeen = m.epoch;
    if (this.prim && this.unchecked && m.type !== 'ack') {
      // Bug no-epoch-check: a primary deaf to newer epochs handles only acknowledgements.
      if (m.epoch > this.prim.epoch) this.env.log('debug', 'bug no-epoch-check: ignoring a newer epoch', { epoch: m.epoch, type: m.type });
      if (m.type !== 'probe') return;
    }
    switch (m.type) {
      case 'probe':
        return this.discovery.onProbe(m);
      case 'probe-reply':
        return this.discovery.onProbeReply(m);
      case 'newepoch':
        return this.discovery.onNewEpoch(m);
      case 'ackepoch':
        return this.discovery.onAckEpoch(m);
      case 'sync':
        return this.onSync(m);
      case 'append':
        return this.onAppend(m);
      case 'ack':
        return this.onAck(m);
    }
  }

  request(rid: string, req: KvRequest): void {
    const prim = this.prim;
    if (!prim) {
      this.replies.push({ rid, result: notLeader(this.cfg.id, this.leader) });
      return;
    }
    const deadline = this.env.mono() + this.cfg.requestTimeoutMs;
    if (req.f !== 'read' || this.cfg.readMode === 'log') {
      const index = this.history.append({ e: prim.epoch, c: commandFor(req, rid) });
      this.requests.proposals.add(index, { rid, f: req.f, term: prim.epoch, deadline });
      return this.advanceCommit();
    }
    const readIndex = this.serving() ? this.history.commit : null;
    this.requests.reads.add({ rid, key: req.key, readIndex, seq: prim.rounds.round + 1, deadline });
    this.roundWanted = true;
  }

  ready(): Ready | undefined {
    if (this.prim && this.roundWanted) this.heartbeat(this.env.mono());
    else if (this.prim) this.stream();
    this.roundWanted = false;
    const records = this.takeRecords();
    const changed = this.epochs.accepted !== this.saved.accepted || this.epochs.current !== this.saved.current;
    if (!changed && records.length === 0 && this.out.length === 0 && this.replies.length === 0) return undefined;
    const rd: Ready = { messages: this.out, replies: this.replies };
    if (changed) rd.epochs = this.saved = { ...this.epochs };
    if (records.length > 0) rd.records = records;
    this.out = [];
    this.replies = [];
    return rd;
  }

  /**
   * History records to make durable now. With bug ack-before-persist the log writer runs in the
   * background once every lazyFlushMs, while acknowledgements go out at once: until it runs,
   * what was acknowledged lives in memory only.
   */
  private takeRecords(): HistoryRecord[] {
    if (!this.lazy) return this.history.takeRecords();
    const now = this.env.mono();
    if (now < this.nextFlush) return [];
    this.nextFlush = now + this.cfg.lazyFlushMs;
    return this.history.takeRecords();
  }

  // ---- election and discovery (./discovery.ts) ----

  /** The node as discovery sees it. */
  private discoveryHost(): DiscoveryHost {
    const zab = this;
    return {
      peers: this.peers,
      quorum: this.quorum,
      epochs: this.epochs,
      history: this.history,
      get maxSeen() { return zab.maxSeen; },
      set maxSeen(epoch: number) { zab.maxSeen = epoch; },
      get leader() { return zab.leader; },
      set leader(leader: string | null) { zab.leader = leader; },
      get leading() { return zab.prim !== undefined; },
      stepDown: () => this.stepDown(),
      resetElectionTimer: () => this.resetElectionTimer(),
      send: (to, body) => this.send(to, body),
      lead: (recovered) => this.becomePrimary(recovered),
    };
  }

  /** Take office with the most up-to-date history of the majority that joined the epoch. */
  private becomePrimary({ epoch, from, base, entries, reports }: Recovered): void {
    if (from !== this.cfg.id) this.history.replaceAfter(base, entries);
    this.epochs.current = epoch;
    const prim = new Primacy(epoch, this.peers, this.quorum, this.history.lastIndex, this.env.mono());
    this.prim = prim;
    this.leader = this.cfg.id;
    for (const [id, r] of reports) {
      const b = prim.backups.get(id);
      if (b) b.commit = r.commit;
    }
    this.env.log('info', 'became primary', { epoch, from, last: this.history.lastIndex, commit: this.history.commit });
    this.roundWanted = true;
  }

  // ---- backups ----

  /** A message from a primary of epoch `epoch`: true when this node follows it. */
  private follow(m: Sync | Append): boolean {
    if (m.epoch < this.epochs.accepted) {
      this.sendAck(m.from, m.seq, {});
      return false;
    }
    if (m.epoch > this.epochs.accepted || this.prim || this.discovery.running) {
      this.stepDown();
      this.discovery.cancel();
      this.epochs.accepted = m.epoch;
    }
    if (this.leader !== m.from) this.env.log('info', 'following', { primary: m.from, epoch: m.epoch });
    this.leader = m.from;
    this.resetElectionTimer();
    return true;
  }

  private onSync(m: Sync): void {
    if (!this.follow(m)) return;
    if (this.epochs.current !== m.epoch) {
      if (m.base > this.history.lastIndex) return this.sendAck(m.from, m.seq, {});
      this.history.replaceAfter(m.base, m.entries);
      this.epochs.current = m.epoch;
    }
    this.learnCommit(m.commit);
    this.sendAck(m.from, m.seq, {});
  }

  private onAppend(m: Append): void {
    if (!this.follow(m)) return;
    if (this.epochs.current !== m.epoch) return this.sendAck(m.from, m.seq, {});
    if (m.prev > this.history.lastIndex) return this.sendAck(m.from, m.seq, { gap: true });
    // Within an epoch a backup holds a prefix of its primary's history: skip what it has.
    m.entries.slice(this.history.lastIndex - m.prev).forEach((e) => this.history.append(e));
    this.learnCommit(m.commit);
    this.sendAck(m.from, m.seq, {});
  }

  private learnCommit(commit: number): void {
    const point = Math.min(commit, this.history.lastIndex);
    if (point > this.history.commit) this.history.commit = point;
    this.apply();
  }

  private sendAck(to: string, seq: number, extra: { gap?: true }): void {
    const { accepted, current } = this.epochs;
    this.send(to, { type: 'ack', epoch: accepted, synced: current === accepted, last: this.history.lastIndex, commit: this.history.commit, seq, ...extra });
  }

  // ---- primary ----

  private onAck(m: Ack): void {
    const prim = this.prim;
    if (!prim) return;
    if (m.epoch !== prim.epoch) {
      if (!this.unchecked) {
        if (m.epoch > prim.epoch) {
          this.env.log('info', 'stepping down: a backup joined a newer epoch', { epoch: prim.epoch, by: m.from, newer: m.epoch });
          this.stepDown();
        }
        return;
      }
      this.env.log('debug', 'bug no-epoch-check: counting an acknowledgement of another epoch', { epoch: prim.epoch, by: m.from, theirs: m.epoch });
    }
    const now = this.env.mono();
    prim.rounds.ack(m.from, m.seq, now);
    const b = prim.backups.get(m.from)!;
    b.commit = m.commit;
    if (!m.synced) {
      b.synced = false;
      if (now - b.syncAt >= this.cfg.heartbeatMs) this.sendSync(m.from, now);
      return;
    }
    if (!b.synced) b.next = m.last + 1;
    b.synced = true;
    if (m.last > b.match) b.match = m.last;
    if (m.gap) b.next = m.last + 1;
    this.advanceCommit();
    this.streamTo(m.from);
  }

  private sendSync(peer: string, now: number): void {
    const b = this.prim!.backups.get(peer)!;
    const base = Math.min(b.commit, this.history.commit, this.history.lastIndex);
    b.syncAt = now;
    b.next = this.history.lastIndex + 1;
    this.send(peer, { type: 'sync', epoch: this.prim!.epoch, base, entries: this.history.slice(base + 1), commit: this.history.commit, seq: this.prim!.rounds.round });
  }

  /** Send a synced backup the entries it has not been sent, in batches. */
  private streamTo(peer: string): void {
    const prim = this.prim!;
    const b = prim.backups.get(peer)!;
    while (b.synced && b.next <= this.history.lastIndex) this.sendAppend(peer, b);
  }

  private stream(): void {
    for (const peer of this.peers) this.streamTo(peer);
  }

  private sendAppend(peer: string, b: { next: number }): void {
    const prim = this.prim!;
    const entries = this.history.slice(b.next, b.next + this.cfg.maxBatch - 1);
    this.send(peer, { type: 'append', epoch: prim.epoch, prev: b.next - 1, entries, commit: this.history.commit, seq: prim.rounds.round });
    b.next += entries.length;
  }

  /** A round: every backup hears from us (what it lacks, or a heartbeat). */
  private heartbeat(now: number): void {
    const prim = this.prim!;
    this.heartbeatDue = now + this.cfg.heartbeatMs;
    prim.rounds.next();
    for (const [peer, b] of prim.backups) {
      if (b.synced && b.next <= this.history.lastIndex) this.streamTo(peer);
      // A heartbeat; a backup not known synced answers with what it holds.
      else this.sendAppend(peer, b.synced ? b : { next: this.history.lastIndex + 1 });
    }
    this.serveReads();
  }

  private advanceCommit(): void {
    const point = Math.min(this.prim!.commitPoint(this.history.lastIndex), this.history.lastIndex);
    if (point > this.history.commit) this.history.commit = point;
    this.apply();
  }

  /** Apply committed entries in order, answer their proposals, then any reads now servable. */
  private apply(): void {
    while (this.applied < this.history.commit) {
      const i = ++this.applied;
      const entry: Entry = this.history.get(i)!;
      const result = this.sm.apply(entry.c);
      if (this.prim) this.requests.applied(i, entry.c, result, entry.e === this.prim.epoch);
    }
    this.serveReads();
  }

  private serveReads(): void {
    if (!this.prim) return;
    const readIndex = this.serving() ? this.history.commit : null;
    this.requests.serveReads(readIndex, this.prim.rounds.confirmed(), this.applied, (k) => this.sm.get(k));
  }

  private stepDown(): void {
    if (!this.prim) return;
    this.prim = undefined;
    this.leader = null;
    this.requests.drain(notLeader(this.cfg.id, null));
    this.resetElectionTimer();
  }

  private resetElectionTimer(): void {
    const span = this.cfg.electionMaxMs - this.cfg.electionMinMs;
    this.electionDeadline = this.env.mono() + this.cfg.electionMinMs + this.env.random() * span;
  }

  private send(to: string, body: Body): void {
    this.out.push({ to, msg: { ...body, from: this.cfg.id } as PbMessage });
  }
}
