/**
 * The Multi-Paxos core: a deterministic state machine with no I/O (inputs `receive`, `tick`,
 * `request`; outputs drained with `ready()`), driven by node.ts in a process and by a simulated
 * network in the tests. Every node is proposer, acceptor and learner.
 *
 * - Leader election: a node that heard from no leader for an election timeout first asks whether
 *   a majority would promise its next ballot (a probe, changing nothing), then runs phase 1 for
 *   every slot from its first unchosen one at once. With a majority of promises it leads: each
 *   open slot gets the value accepted at the highest ballot among the promises (or one some
 *   acceptor knows chosen), holes up to the highest slot any promise reported get no-ops, and all
 *   of them are proposed again under its ballot.
 * - Steady state: one accept (phase 2) per client command, batched, counted per slot; a slot a
 *   majority accepted is chosen, and every node applies chosen slots in slot order. Heartbeats are
 *   empty accepts carrying the first unchosen slot: a follower marks chosen every slot below it
 *   that it accepted at the leader's ballot, and is sent the chosen values it lacks.
 * - A leader leads until an acceptor refuses one of its accepts because it promised a higher
 *   ballot (preemption), as in classic Multi-Paxos: there is no check-quorum, so a leader cut off
 *   in a minority goes on trying (it can choose nothing and confirm no read) until it hears of
 *   the newer ballot after the heal.
 * - Reads (read-mode read-index): answered once the leader's recovered slots are chosen, a
 *   heartbeat round sent after the read arrived is acknowledged by a majority that has not
 *   promised a higher ballot, and everything chosen when the read arrived is applied. In
 *   read-mode log a read is a command in a slot of its own.
 *
 * This module is the proposer and the node around it; the acceptor and learner, which hold the
 * durable state (promised ballot, accepted values), are ./acceptor.ts. That state is handed out
 * in `ready()` to be made durable before any message of the same batch is sent.
 */
import { notLeader, type KvFunction, type KvRequest, type KvResult, type NodeStatus, type Role } from '../../src/node/kv/protocol.js';
import { LeaderRequests } from '../../src/node/kv/requests.js';
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import { commandFor, KvStateMachine, type Command } from '../../src/node/kv/state-machine.js';
import { Acceptor, type Body } from './acceptor.js';
import { nextBallot } from './ballot.js';
import type { PaxosConfig } from './config.js';
import { Leadership, mergePromises } from './leader.js';
import type { Accepted, PaxosMessage, Promise_, SlotReport, SlotValue } from './messages.js';
import type { Persisted } from './recovery.js';
import { NOOP, type SlotLog, type SlotRecord } from './slots.js';

export interface Ready {
  /** The promised ballot, to be written before anything else in the batch is sent. */
  promised?: number;
  records?: SlotRecord[];
  messages: { to: string; msg: PaxosMessage }[];
  replies: { rid: string; result: KvResult }[];
}

/** A run for leadership: probing first, then phase 1 proper. */
interface Campaign {
  ballot: number;
  phase: 'probe' | 'prepare';
  start: number;
  granted: Set<string>;
  promises: Map<string, SlotReport[]>;
}

export class Paxos {
  readonly sm = new KvStateMachine();
  readonly log: SlotLog;
  private readonly acceptor: Acceptor;
  /** The highest ballot seen anywhere, so the next campaign starts above it. */
  private maxSeen: number;
  private leader: string | null = null;
  private campaign: Campaign | undefined;
  private lead: Leadership | undefined;
  private electionDeadline = 0;
  private heartbeatDue = 0;
  private roundWanted = false;
  private readonly peers: string[];
  private readonly quorum: number;
  private readonly index: number;
  private readonly requests: LeaderRequests;
  private out: Ready['messages'] = [];
  private replies: Ready['replies'] = [];

  constructor(
    private readonly cfg: PaxosConfig,
    private readonly env: CoreEnv,
    persisted: Persisted,
  ) {
    this.peers = cfg.nodes.filter((n) => n !== cfg.id);
    this.quorum = Math.floor(cfg.nodes.length / 2) + 1;
    this.index = cfg.nodes.indexOf(cfg.id);
    this.requests = new LeaderRequests((rid, result) => this.replies.push({ rid, result }));
    this.acceptor = new Acceptor(cfg, env, persisted, {
      seen: (ballot) => this.seen(ballot),
      yieldTo: (leader, ballot) => this.yieldTo(leader, ballot),
      heardProposer: () => this.resetElectionTimer(),
      applyChosen: () => this.applyChosen(),
      send: (to, body) => this.send(to, body),
    });
    this.log = this.acceptor.log;
    this.maxSeen = this.acceptor.promised;
    for (let s = 1; s < this.log.firstUnchosen; s++) this.sm.apply(this.log.get(s)!.c);
    this.applyChosen();
    this.resetElectionTimer();
    env.log('info', 'recovered', { promised: this.acceptor.promised, firstUnchosen: this.log.firstUnchosen, maxSlot: this.log.maxSlot });
  }

  get promised(): number {
    return this.acceptor.promised;
  }

  get role(): Role {
    return this.lead ? 'leader' : this.campaign?.phase === 'prepare' ? 'candidate' : 'follower';
  }

  status(): NodeStatus {
    const leader = this.lead ? this.cfg.id : this.leader;
    return { id: this.cfg.id, role: this.role, term: this.acceptor.promised, leader, commitIndex: this.log.firstUnchosen - 1 };
  }

  // ---- inputs ----

  tick(): void {
    const now = this.env.mono();
    if (this.lead) {
      if (now >= this.heartbeatDue) this.heartbeat(now);
    } else if (now >= this.electionDeadline) {
      this.startCampaign();
    }
    this.requests.expire(now);
  }

  receive(m: PaxosMessage): void {
    if (!this.peers.includes(m.from)) return;
    switch (m.type) {
      case 'prepare':
        return this.acceptor.onPrepare(m);
      case 'promise':
        return this.onPromise(m);
      case 'accept':
        return this.acceptor.onAccept(m);
      case 'accepted':
        return this.onAccepted(m);
      case 'learn':
        return this.acceptor.onLearn(m);
    }
  }

  request(rid: string, req: KvRequest): void {
    const lead = this.lead;
    if (!lead) {
      this.replies.push({ rid, result: notLeader(this.cfg.id, this.leader) });
      return;
    }
    const deadline = this.env.mono() + this.cfg.requestTimeoutMs;
    if (req.f !== 'read' || this.cfg.readMode === 'log') return this.propose(commandFor(req, rid), req.f, rid, deadline);
    const readIndex = this.recovered() ? this.log.firstUnchosen - 1 : null;
    this.requests.reads.add({ rid, key: req.key, readIndex, seq: lead.rounds.round + 1, deadline });
    this.roundWanted = true;
  }

  ready(): Ready | undefined {
    if (this.lead && this.roundWanted) this.heartbeat(this.env.mono());
    else if (this.lead) this.flushFresh();
    this.roundWanted = false;
    const records = this.log.takeRecords();
    const promised = this.acceptor.takePromise();
    if (promised === undefined && records.length === 0 && this.out.length === 0 && this.replies.length === 0) return undefined;
    const rd: Ready = { messages: this.out, replies: this.replies };
    if (promised !== undefined) rd.promised = promised;
    if (records.length > 0) rd.records = records;
    this.out = [];
    this.replies = [];
    return rd;
  }

  // ---- leader election (phase 1) ----

  private startCampaign(): void {
    this.stepDown();
    this.leader = null;
    const ballot = nextBallot(Math.max(this.acceptor.promised, this.maxSeen), this.index, this.cfg.nodes.length);
    this.campaign = { ballot, phase: 'probe', start: this.log.firstUnchosen, granted: new Set([this.cfg.id]), promises: new Map() };
    this.resetElectionTimer();
    if (this.quorum <= 1) return this.startPrepare();
    for (const peer of this.peers) this.send(peer, { type: 'prepare', ballot, start: this.campaign.start, probe: true });
  }

  private startPrepare(): void {
    const c = this.campaign!;
    c.ballot = nextBallot(Math.max(this.acceptor.promised, this.maxSeen), this.index, this.cfg.nodes.length);
    c.phase = 'prepare';
    c.start = this.log.firstUnchosen;
    this.acceptor.promise(c.ballot);
    c.promises.set(this.cfg.id, this.log.reportFrom(c.start));
    this.env.log('info', 'running for leader', { ballot: c.ballot, from: c.start });
    if (c.promises.size >= this.quorum) return this.becomeLeader();
    for (const peer of this.peers) this.send(peer, { type: 'prepare', ballot: c.ballot, start: c.start });
  }

  private onPromise(m: Promise_): void {
    this.seen(m.promised);
    const c = this.campaign;
    if (!c || m.ballot !== c.ballot || (m.probe === true) !== (c.phase === 'probe')) return;
    if (!m.ok) {
      this.env.log('debug', 'campaign refused', { ballot: c.ballot, by: m.from, promised: m.promised });
      if (c.phase === 'prepare') this.campaign = undefined;
      return;
    }
    if (c.phase === 'probe') {
      c.granted.add(m.from);
      if (c.granted.size >= this.quorum) this.startPrepare();
      return;
    }
    c.promises.set(m.from, m.entries ?? []);
    if (c.promises.size >= this.quorum) this.becomeLeader();
  }

  private becomeLeader(): void {
    const c = this.campaign!;
    this.campaign = undefined;
    const merged = mergePromises(c.promises.values());
    let end = c.start - 1;
    for (const s of merged.keys()) if (s > end) end = s;
    const lead = new Leadership(this.cfg, c.ballot, this.peers, this.quorum, end, this.log.firstUnchosen, this.env.mono());
    this.lead = lead;
    this.leader = this.cfg.id;
    let reproposed = 0;
    for (let s = c.start; s <= end; s++) {
      const found = merged.get(s);
      if (found?.chosen) {
        this.acceptor.learn(s, found.c);
      } else if (!this.log.get(s)?.chosen) {
        this.log.accept(s, c.ballot, found?.c ?? NOOP);
        lead.propose(s, found?.c ?? NOOP);
        reproposed++;
      }
    }
    this.env.log('info', 'became leader', { ballot: c.ballot, from: c.start, recovered: end - c.start + 1, reproposed });
    this.roundWanted = true;
    this.applyChosen();
  }

  // ---- phase 2 and learning ----

  private propose(cmd: Command, f: KvFunction, rid: string, deadline: number): void {
    const lead = this.lead!;
    const s = lead.nextSlot++;
    this.log.accept(s, lead.ballot, cmd);
    this.requests.proposals.add(s, { rid, f, term: lead.ballot, deadline });
    if (lead.propose(s, cmd)) this.choose(s);
  }

  private onAccepted(m: Accepted): void {
    this.seen(m.promised);
    const lead = this.lead;
    if (!lead || m.ballot !== lead.ballot) return;
    if (!m.ok) {
      // Only a refused accept (phase 2) preempts a leader; a refused learn just confirms nothing.
      if (m.learn) return;
      this.env.log('info', 'stepping down: an acceptor promised a higher ballot', { ballot: lead.ballot, by: m.from, promised: m.promised });
      return this.stepDown();
    }
    const now = this.env.mono();
    lead.rounds.ack(m.from, m.seq, now);
    for (const s of m.slots) if (lead.accepted(s, m.from)) this.log.markChosen(s);
    this.applyChosen();
    const from = lead.lagging(m.from, m.firstUnchosen, this.log.firstUnchosen, now);
    if (from !== undefined) this.sendLearn(m.from, from);
  }

  private sendLearn(peer: string, from: number): void {
    const entries: SlotValue[] = [];
    const to = Math.min(this.log.firstUnchosen, from + this.cfg.maxBatch);
    for (let s = from; s < to; s++) entries.push({ s, c: this.log.get(s)!.c });
    this.send(peer, { type: 'learn', ballot: this.lead!.ballot, entries, seq: this.lead!.rounds.round });
  }

  private choose(s: number): void {
    this.log.markChosen(s);
    this.applyChosen();
  }

  /** Apply newly chosen slots in order, answer their proposals, then any reads now servable. */
  private applyChosen(): void {
    for (const s of this.log.advance()) {
      const cmd = this.log.get(s)!.c;
      const result = this.sm.apply(cmd);
      if (this.lead) this.requests.applied(s, cmd, result);
    }
    this.serveReads();
  }

  /** A leader whose recovered slots are all chosen: it serves reads. */
  recovered(): boolean {
    return !!this.lead && this.log.firstUnchosen > this.lead.recoveryEnd;
  }

  private serveReads(): void {
    if (!this.lead) return;
    const readIndex = this.recovered() ? this.log.firstUnchosen - 1 : null;
    this.requests.serveReads(readIndex, this.lead.rounds.confirmed(), this.log.firstUnchosen - 1, (k) => this.sm.get(k));
  }

  // ---- leader housekeeping ----

  /** A heartbeat round: every follower gets the open slots it has not accepted, and the commit point. */
  private heartbeat(now: number): void {
    const lead = this.lead!;
    this.heartbeatDue = now + this.cfg.heartbeatMs;
    lead.rounds.next();
    const fresh = this.flushFresh();
    for (const peer of this.peers) {
      const entries = lead.unacked(peer, fresh, (s) => this.log.get(s)!.c);
      this.send(peer, { type: 'accept', ballot: lead.ballot, entries, commit: this.log.firstUnchosen, seq: lead.rounds.round });
    }
    this.serveReads();
  }

  /** Send freshly proposed slots to every follower; returns those slots. */
  private flushFresh(): Set<number> {
    const lead = this.lead!;
    const sent = new Set<number>();
    for (const entries of lead.takeFresh()) {
      for (const peer of this.peers) {
        this.send(peer, { type: 'accept', ballot: lead.ballot, entries, commit: this.log.firstUnchosen, seq: lead.rounds.round });
      }
      for (const e of entries) sent.add(e.s);
    }
    return sent;
  }

  /** This node promised `ballot` to another: whatever it led or ran for is over. */
  private yieldTo(leader: string | null, ballot: number): void {
    this.stepDown();
    this.campaign = undefined;
    if (leader !== null && this.leader !== leader) this.env.log('info', 'following', { leader, ballot });
    this.leader = leader;
  }

  private stepDown(): void {
    if (!this.lead) return;
    this.lead = undefined;
    this.leader = null;
    this.requests.drain(notLeader(this.cfg.id, null));
    this.resetElectionTimer();
  }

  private seen(ballot: number): void {
    if (ballot > this.maxSeen) this.maxSeen = ballot;
  }

  private resetElectionTimer(): void {
    const span = this.cfg.electionMaxMs - this.cfg.electionMinMs;
    this.electionDeadline = this.env.mono() + this.cfg.electionMinMs + this.env.random() * span;
  }

  private send(to: string, body: Body): void {
    this.out.push({ to, msg: { ...body, from: this.cfg.id } as PaxosMessage });
  }
}
