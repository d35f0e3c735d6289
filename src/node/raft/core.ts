/**
 * The Raft core: a deterministic state machine with no I/O, shared by the bundled systems that
 * replicate through Raft (raft-kv, lock-service). Inputs are `receive` (a peer message), `tick`
 * (time passed) and the client operations a system turns into `propose` (a command through the
 * log) and `read` (a read-index read of the local state); `ready()` drains the outputs: state to
 * make durable, then messages and client replies that may only be released once that state is
 * durable. A system's node.ts drives it with sockets, timers and fsync; the tests drive it with a
 * simulated network and virtual time. What the log means is the system's: it hands the core a
 * `RaftMachine` that applies committed commands.
 *
 * Who leads is the election's call (election.ts): Raft's votes with pre-vote and leader
 * stickiness (vote-election.ts, the default) or the bully algorithm (bully-election.ts); the
 * core keeps terms, replication and commit. Beyond the Raft paper: a no-op entry at the start of
 * each term, fast backtracking, pipelined replication (leader.ts) and check-quorum (a leader
 * without majority contact steps down). In read-mode lease
 * a node drops messages from peers whose clocks are too far off (clock-guard.ts), and a leader
 * times its lease and its check-quorum on its own wall clock.
 */
import { notLeader, type KvFunction, type KvResult, type NodeStatus, type Role } from '../kv/protocol.js';
import { proposalReply, ProposalTable, ReadQueue } from '../kv/requests.js';
import { ClockGuard } from './clock-guard.js';
import type { RaftConfig } from './config.js';
import { Leadership } from './leader.js';
import type { Entry, RaftLog } from './log.js';
import { BullyElection } from './bully-election.js';
import type { Election, ElectionHost } from './election.js';
import type { AppendRequest, RaftMessage } from './messages.js';
import { recover } from './recovery.js';
import { VoteElection } from './vote-election.js';
import type { HardState, MessageBody, Outbound, Persisted, RaftEnv, Ready, Reply } from './types.js';

export type { HardState, Persisted, RaftEnv, Ready } from './types.js';

/** A replicated command: `op` names it; one a client proposed carries its request id, so its proposer knows it when it applies. */
export interface Tagged {
  op: string;
  rid?: string;
}

/** What a system replicates through the core: its state machine, applied in log order everywhere. */
export interface RaftMachine<Cmd extends Tagged> {
  /** The entry a new leader appends at the start of its term. */
  noop(): Cmd;
  /** Apply a committed command (deterministically); the result is the reply to its proposer. */
  apply(cmd: Cmd): KvResult;
  /** A read-index read of `key` from the applied state. */
  query(key: string): unknown;
  /** The command that sends a read of `key` through the log (read-mode log). */
  readCommand(key: string, rid: string): Cmd;
}

export class RaftCore<Cmd extends Tagged> {
  readonly log: RaftLog<Cmd>;
  private term: number;
  private votedFor: string | null;
  private savedHard: HardState;
  private role: Role = 'follower';
  private leader: string | null = null;
  private commit = 0;
  private applied = 0;
  private readonly peers: string[];
  private readonly quorum: number;
  /** The deposed-leader bugs come from implementations that never step down on their own. */
  private readonly checkQuorum: boolean;
  /** Read-mode lease: refuses messages from peers whose clocks are too far off. */
  private readonly guard: ClockGuard | undefined;
  /**
   * The clock a leader times its majority contact on (check-quorum, stickiness): monotonic, or
   * in read-mode lease the wall clock its lease runs on, so lease and leadership agree.
   */
  private readonly leaderNow: () => number;
  private heartbeatDue = 0;
  /** Who leads next when there is no leader: Raft's votes or the bully algorithm (cfg.election). */
  private readonly election: Election;
  private lead: Leadership | undefined;
  private roundWanted = false;
  private flushWanted = false;
  private readonly proposals = new ProposalTable();
  private readonly reads = new ReadQueue();
  private out: Outbound[] = [];
  private replies: Reply[] = [];

  constructor(
    protected readonly cfg: RaftConfig,
    protected readonly env: RaftEnv,
    persisted: Persisted,
    private readonly machine: RaftMachine<Cmd>,
  ) {
    this.peers = cfg.nodes.filter((n) => n !== cfg.id);
    this.quorum = Math.floor(cfg.nodes.length / 2) + 1;
    this.checkQuorum = !cfg.bugs.has('stale-read') && !cfg.bugs.has('commit-without-majority');
    const lease = cfg.readMode === 'lease';
    this.guard = lease ? new ClockGuard(cfg.maxClockOffsetMs, env) : undefined;
    this.leaderNow = lease ? () => env.wall() : () => env.mono();
    ({ log: this.log, term: this.term, votedFor: this.votedFor, saved: this.savedHard } = recover<Cmd>(cfg, env, persisted));
    const host = this.electionHost();
    this.election = cfg.election === 'bully' ? new BullyElection(host) : new VoteElection(host);
    env.log('info', 'recovered', { term: this.term, votedFor: this.votedFor, lastIndex: this.log.lastIndex });
  }

  status(): NodeStatus {
    return { id: this.cfg.id, role: this.role, term: this.term, leader: this.leader, commitIndex: this.commit };
  }
  get currentTerm(): number {
    return this.term;
  }
  get vote(): string | null {
    return this.votedFor;
  }
  get commitIndex(): number {
    return this.commit;
  }

  // ---- inputs ----

  tick(): void {
    const now = this.env.mono();
    if (this.lead) {
      if (now >= this.heartbeatDue) {
        this.heartbeatDue = now + this.cfg.heartbeatMs;
        this.lead.broadcast(this.env.wall());
        this.serveReads();
      }
      if (this.checkQuorum && !this.lead.hasContact(this.leaderNow(), this.cfg.checkQuorumMs)) {
        this.env.log('warn', 'stepping down: no contact with a majority', { term: this.term });
        this.becomeFollower(this.term, null);
      }
    } else {
      this.election.tick(now);
    }
    for (const p of this.proposals.expire(now)) this.reply(p.rid, { type: 'info', error: 'timeout' });
    for (const r of this.reads.expire(now)) this.reply(r.rid, { type: 'info', error: 'timeout' });
  }

  receive(m: RaftMessage): void {
    if (!this.peers.includes(m.from) || (this.guard && !this.guard.admits(m))) return;
    if (m.type !== 'append' && m.type !== 'append-reply') return this.election.receive(m);
    if (m.term > this.term) this.becomeFollower(m.term, m.type === 'append' ? m.from : null);
    switch (m.type) {
      case 'append':
        return this.onAppend(m);
      case 'append-reply':
        if (this.lead && m.term === this.term) {
          this.lead.onReply(m, this.leaderNow());
          this.maybeCommit();
          this.serveReads();
        }
    }
  }

  /** Is this node the leader of its term? */
  get isLeader(): boolean {
    return this.lead !== undefined;
  }

  /**
   * Replicate `cmd` for the client request `rid` (answered with what applying it returns), or,
   * without `rid`, on the leader's own account (answered to no one). `f` is `read` for a read
   * sent through the log: a read that loses its leader is definitely not done.
   */
  propose(cmd: Cmd, rid?: string, f: KvFunction = 'write'): void {
    if (!this.lead) {
      if (rid !== undefined) this.reply(rid, this.notLeader());
      return;
    }
    const index = this.log.append({ term: this.term, cmd });
    if (rid !== undefined) this.proposals.add(index, { rid, f, term: this.term, deadline: this.env.mono() + this.cfg.requestTimeoutMs });
    this.flushWanted = true;
    this.maybeCommit();
  }

  /** A linearizable read of `key` for the client request `rid`, served as the read mode says. */
  read(rid: string, key: string): void {
    if (!this.lead) return this.reply(rid, this.notLeader());
    if (this.cfg.bugs.has('stale-read')) {
      this.env.log('debug', 'bug stale-read: serving a read from local state');
      return this.reply(rid, { type: 'ok', value: this.machine.query(key) });
    }
    if (this.cfg.readMode === 'log') return this.propose(this.machine.readCommand(key, rid), rid, 'read');
    if (this.cfg.readMode === 'lease' && this.leaseValid()) {
      return this.reply(rid, { type: 'ok', value: this.machine.query(key) });
    }
    // Read index: the commit index now, served once a heartbeat round sent after this
    // moment is acknowledged by a majority and the state machine has applied that far.
    const readIndex = this.committedInTerm() ? this.commit : null;
    this.reads.add({ rid, key, readIndex, seq: this.lead.round + 1, deadline: this.env.mono() + this.cfg.requestTimeoutMs });
    this.roundWanted = true;
  }

  /** Drain outputs; undefined when there is nothing to persist, send or answer. */
  ready(): Ready | undefined {
    if (this.lead && this.roundWanted) {
      this.lead.broadcast(this.env.wall());
      this.serveReads();
    } else if (this.lead && this.flushWanted) {
      this.lead.flush();
    }
    this.roundWanted = this.flushWanted = false;
    let hardState: HardState | undefined;
    const changed = this.term !== this.savedHard.term || this.votedFor !== this.savedHard.votedFor;
    if (changed && !this.cfg.bugs.has('no-fsync-vote')) {
      hardState = { term: this.term, votedFor: this.votedFor };
      this.savedHard = { ...hardState };
    }
    const log = this.log.takeWrite();
    if (!hardState && !log && this.out.length === 0 && this.replies.length === 0) return undefined;
    const rd: Ready = { messages: this.out, replies: this.replies };
    if (hardState) rd.hardState = hardState;
    if (log) rd.log = log;
    this.out = [];
    this.replies = [];
    return rd;
  }

  // ---- leadership (who leads is the election's call: election.ts) ----

  /** The core as its election sees it. */
  private electionHost(): ElectionHost {
    const core = this;
    return {
      cfg: this.cfg,
      env: this.env,
      peers: this.peers,
      quorum: this.quorum,
      log: this.log,
      send: this.send,
      get term() {
        return core.term;
      },
      get votedFor() {
        return core.votedFor;
      },
      get role() {
        return core.role;
      },
      get leader() {
        return core.leader;
      },
      get commit() {
        return core.commit;
      },
      becomeFollower: (term, leader) => this.becomeFollower(term, leader),
      becomeCandidate: (term) => {
        this.term = term;
        this.votedFor = this.cfg.id;
        this.role = 'candidate';
        this.leader = null;
      },
      grantVote: (candidate) => {
        this.votedFor = candidate;
      },
      adoptSuffix: (prevIndex, entries) => {
        // The committed entries are the same in both logs: keep this node's.
        const skip = Math.max(0, this.commit - prevIndex);
        this.log.truncateFrom(prevIndex + skip + 1);
        for (const e of entries.slice(skip)) this.log.append(e as Entry<Cmd>);
      },
      becomeLeader: () => this.becomeLeader(),
      leaderHasContact: (windowMs) => this.lead !== undefined && this.lead.hasContact(this.leaderNow(), windowMs),
    };
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.cfg.id;
    this.lead = new Leadership(this.cfg, this.peers, this.term, this.log, this.quorum, this.send, () => this.commit, this.leaderNow());
    this.tookOffice();
    this.log.append({ term: this.term, cmd: this.machine.noop() });
    this.env.log('info', 'became leader', { term: this.term, lastIndex: this.log.lastIndex, commit: this.commit });
    this.heartbeatDue = this.env.mono() + this.cfg.heartbeatMs;
    this.lead.broadcast(this.env.wall());
    this.maybeCommit();
  }

  private becomeFollower(term: number, leader: string | null): void {
    const was = this.role;
    const oldLeader = this.leader;
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
    }
    this.role = 'follower';
    this.leader = leader;
    this.election.followed(was === 'leader', this.env.mono());
    if (was === 'leader') {
      this.lead = undefined;
      for (const p of this.proposals.drain()) {
        this.reply(p.rid, p.f === 'read' ? this.notLeader() : { type: 'info', error: 'leadership lost' });
      }
      for (const r of this.reads.drain()) this.reply(r.rid, this.notLeader());
    }
    if (was !== 'follower' || (leader !== null && leader !== oldLeader)) {
      this.env.log('info', 'became follower', { term: this.term, leader: leader ?? undefined });
    }
  }

  /**
   * Called when this node becomes leader, before it appends its term's no-op: the state machine
   * has applied only what this node knew committed. For a system's leader-only soft state.
   */
  protected tookOffice(): void {}

  // ---- replication ----

  private onAppend(m: AppendRequest): void {
    const reject = (extra: { conflictIndex?: number; conflictTerm?: number }): void =>
      this.send(m.from, { type: 'append-reply', term: this.term, success: false, match: 0, seq: m.seq, ...extra });
    if (m.term < this.term) return reject({});
    if (this.role !== 'follower' || this.leader !== m.from) this.becomeFollower(m.term, m.from);
    this.election.heardLeader(m.from, this.env.mono());
    if (m.prevIndex > this.log.lastIndex) return reject({ conflictIndex: this.log.lastIndex + 1 });
    const t = this.log.term(m.prevIndex);
    if (t !== m.prevTerm) return reject({ conflictTerm: t, conflictIndex: this.log.firstIndexOfTermAt(m.prevIndex) });
    const cut = this.log.merge(m.prevIndex, m.entries as Entry<Cmd>[]);
    if (cut !== undefined && cut <= this.commit) {
      this.env.log('warn', 'SAFETY: truncating committed entries', { from: cut, commit: this.commit });
    }
    const match = m.prevIndex + m.entries.length;
    if (m.commit > this.commit) this.advanceCommit(Math.min(m.commit, match));
    this.send(m.from, { type: 'append-reply', term: this.term, success: true, match, seq: m.seq });
  }

  private maybeCommit(): void {
    if (!this.lead) return;
    const buggy = this.cfg.bugs.has('commit-without-majority');
    const index = this.lead.matchedBy(buggy ? Math.max(1, Math.floor(this.cfg.nodes.length / 2)) : this.quorum);
    if (index <= this.commit || this.log.term(index) !== this.term) return;
    if (buggy && this.lead.matchedBy(this.quorum) < index) {
      this.env.log('debug', 'bug commit-without-majority: committing without a majority', { index });
    }
    this.advanceCommit(index);
  }

  private advanceCommit(index: number): void {
    if (index <= this.commit) return;
    this.commit = index;
    const upTo = Math.min(this.commit, this.log.lastIndex);
    while (this.applied < upTo) {
      const i = ++this.applied;
      const entry = this.log.get(i)!;
      const result = this.machine.apply(entry.cmd);
      const p = this.lead && this.proposals.take(i);
      if (p) this.reply(p.rid, proposalReply(p, entry.cmd.rid, result, entry.term === p.term));
    }
    this.serveReads();
  }

  // ---- reads ----

  private committedInTerm(): boolean {
    return this.log.term(this.commit) === this.term;
  }

  /**
   * Lease reads: valid while this node's clock reads before (send time of the latest round a
   * majority acknowledged) + leaseRatio × electionMinMs. Both ends of that comparison come from
   * this node's clock at different moments, so a clock that jumps back stretches the lease.
   */
  private leaseValid(): boolean {
    if (!this.lead || !this.committedInTerm()) return false;
    return this.env.wall() < this.lead.leaseStart() + this.cfg.electionMinMs * this.cfg.leaseRatio;
  }

  private serveReads(): void {
    if (!this.lead || this.reads.size === 0) return;
    if (this.committedInTerm()) this.reads.assignIndex(this.commit);
    for (const r of this.reads.takeReady(this.lead.confirmedRound(), this.applied)) {
      this.reply(r.rid, { type: 'ok', value: this.machine.query(r.key) });
    }
  }

  // ---- helpers ----

  private notLeader(): KvResult {
    return notLeader(this.cfg.id, this.leader);
  }

  private readonly send = (to: string, body: MessageBody): void => {
    this.out.push({ to, msg: { ...body, from: this.cfg.id, sentAt: this.env.wall() } as RaftMessage });
  };

  private reply(rid: string, result: KvResult): void {
    this.replies.push({ rid, result });
  }
}
