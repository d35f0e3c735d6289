/**
 * The bully algorithm (Garcia-Molina, 1982) as the Raft core's election: the highest-ranked live
 * node leads, ranks being the order of the cluster's node list. A node that hears no leader for an
 * election timeout, that starts, or that finds a lower-ranked node leading sends `election` to
 * every higher-ranked node; a higher node replies `answer` and holds an election of its own. A
 * node no higher one answers within the answer timeout announces itself with `coordinator`; one
 * that was answered waits for a coordinator and starts over if none comes.
 *
 * What keeps it safe is the core's: the coordinator announces a fresh term, above every term it
 * knows, and leads only once a majority granted it. A node grants a term above its own only, and
 * then refuses every lower term, so each term has at most one leader and an old leader is fenced by
 * the majority that moved on. A granting node whose log is more up to date than the coordinator's
 * sends what the coordinator lacks, and the coordinator takes the most up-to-date log of its
 * majority, which holds every committed entry (Raft's leader-completeness argument, with the
 * log comparison made by the coordinator instead of by the voters). Refusals are bully's too: a
 * node refuses a coordinator it outranks (and takes the election over), or one its live leader
 * outranks.
 *
 * Bug `bully-no-term`: the coordinator announces the term it already knows instead of a fresh
 * one, and a node grants a coordinator of its own term: leadership passes by rank alone. Without
 * a new term no log is known to be newer, so the coordinator leads with its own log; the old
 * leader keeps its term, and leaders of one term write different entries at the same index,
 * which the log's consistency check cannot tell apart.
 * All timeouts run on the core's clock (`env.mono()`).
 */
import type { Election, ElectionHost } from './election.js';
import type { Entry } from './log.js';
import type { Coordinator, CoordinatorAck, ElectionMessage } from './messages.js';

type Phase = 'idle' | 'electing' | 'waiting' | 'announcing';

/** The most up-to-date log seen in a coordinator round: whose, where it ends, and what it sends. */
interface LogOffer {
  from: string;
  lastIndex: number;
  lastTerm: number;
  prevIndex?: number;
  entries?: Entry[];
}

export class BullyElection implements Election {
  private readonly rank: number;
  private readonly higher: string[];
  private readonly noTerm: boolean;
  /**
   * idle: following (or leading); `deadline` is when the leader is presumed dead. electing: sent
   * `election` up, until `deadline` for an answer. waiting: answered, until `deadline` for a
   * coordinator. announcing: sent `coordinator`, until `deadline` for a majority.
   */
  private phase: Phase = 'idle';
  private deadline: number;
  private sentAt = 0;
  /** The highest term a refusal showed (the next announcement goes above it). */
  private seenTerm = 0;
  private granted = new Set<string>();
  private best: LogOffer | undefined;

  constructor(private readonly host: ElectionHost) {
    const nodes = host.cfg.nodes;
    this.rank = nodes.indexOf(host.cfg.id);
    this.higher = nodes.filter((n) => this.rankOf(n) > this.rank);
    this.noTerm = host.cfg.bugs.has('bully-no-term');
    // A node that starts holds an election at its first tick: a returning higher node takes over.
    this.deadline = host.env.mono();
  }

  tick(now: number): void {
    if (now < this.deadline) {
      if (this.phase === 'announcing' && now - this.sentAt >= this.host.cfg.heartbeatMs) this.sendCoordinator();
      return;
    }
    if (this.phase === 'electing') this.announce();
    else this.startElection();
  }

  receive(m: ElectionMessage): void {
    switch (m.type) {
      case 'election':
        return this.onElection(m.from);
      case 'answer':
        if (this.phase === 'electing') this.setPhase('waiting', this.host.cfg.electionMaxMs);
        return;
      case 'coordinator':
        return this.onCoordinator(m);
      case 'coordinator-ack':
        return this.onAck(m);
    }
  }

  heardLeader(leader: string, now: number): void {
    if (this.rankOf(leader) < this.rank) {
      // A lower-ranked node leads: bully it (an announcement of an older term is over too).
      if (this.phase === 'idle' || this.phase === 'announcing') this.startElection();
      return;
    }
    this.phase = 'idle';
    this.deadline = now + this.timeout();
  }

  followed(wasLeader: boolean, now: number): void {
    if (!wasLeader) return;
    this.phase = 'idle';
    this.deadline = now + this.timeout();
  }

  /** Rank in the cluster's node list: the higher, the stronger the claim to lead. */
  private rankOf(id: string): number {
    return this.host.cfg.nodes.indexOf(id);
  }

  private timeout(): number {
    const { electionMinMs, electionMaxMs } = this.host.cfg;
    return electionMinMs + this.host.env.random() * (electionMaxMs - electionMinMs);
  }

  private setPhase(phase: Phase, forMs: number): void {
    this.phase = phase;
    this.deadline = this.host.env.mono() + forMs;
  }

  private startElection(): void {
    const host = this.host;
    if (host.role !== 'follower' || host.leader !== null) host.becomeFollower(host.term, null);
    if (this.higher.length === 0) return this.announce();
    this.setPhase('electing', host.cfg.electionMinMs);
    for (const peer of this.higher) host.send(peer, { type: 'election', term: host.term });
  }

  private announce(): void {
    const host = this.host;
    const known = Math.max(host.term, this.seenTerm);
    const term = this.noTerm ? Math.max(known, 1) : known + 1;
    host.becomeCandidate(term);
    host.env.log('info', 'announcing as coordinator', { term, lastIndex: host.log.lastIndex });
    this.granted = new Set([host.cfg.id]);
    this.best = { from: host.cfg.id, lastIndex: host.log.lastIndex, lastTerm: host.log.lastTerm };
    this.setPhase('announcing', host.cfg.electionMaxMs);
    if (this.granted.size >= host.quorum) return this.lead();
    this.sendCoordinator();
  }

  private sendCoordinator(): void {
    const host = this.host;
    this.sentAt = host.env.mono();
    const body = { type: 'coordinator', term: host.term, commit: host.commit, lastIndex: host.log.lastIndex, lastTerm: host.log.lastTerm } as const;
    for (const peer of host.peers) if (!this.granted.has(peer)) host.send(peer, body);
  }

  private onElection(from: string): void {
    this.host.send(from, { type: 'answer', term: this.host.term });
    // A live leader (this node, or one it follows) keeps leading: the lower node hears from it.
    if (this.host.role === 'leader' || (this.phase === 'idle' && this.host.leader !== null && this.host.env.mono() < this.deadline)) return;
    if (this.phase === 'idle') this.startElection();
  }

  /** Does this node, or a leader it hears from, outrank `coordinator`? */
  private outranks(coordinator: string): boolean {
    if (this.rank > this.rankOf(coordinator)) return true;
    const leader = this.host.leader;
    const alive = this.host.role === 'leader' || (this.phase === 'idle' && this.host.env.mono() < this.deadline);
    return alive && leader !== null && leader !== coordinator && this.rankOf(leader) > this.rankOf(coordinator);
  }

  private onCoordinator(m: Coordinator): void {
    const host = this.host;
    const outranked = this.outranks(m.from);
    // A coordinator resent before this node's grant reached it is granted again.
    const again = m.term === host.term && host.votedFor === m.from;
    const termOk = again || (this.noTerm ? m.term >= host.term : m.term > host.term);
    const { lastIndex, lastTerm } = host.log;
    if (outranked || !termOk) {
      host.send(m.from, { type: 'coordinator-ack', term: host.term, granted: false, outranked, lastIndex, lastTerm });
      // Bully: a node that outranks the coordinator takes the election over (unless it leads a term at least as new).
      if (this.rank > this.rankOf(m.from) && !(host.role === 'leader' && host.term >= m.term)) {
        this.seenTerm = Math.max(this.seenTerm, m.term);
        if (this.phase === 'idle' || this.phase === 'waiting') this.startElection();
      }
      return;
    }
    if (this.noTerm && host.role === 'leader') host.env.log('debug', 'bug bully-no-term: giving up leadership without a new term', { term: host.term, to: m.from });
    host.becomeFollower(m.term, m.from);
    host.grantVote(m.from);
    this.phase = 'idle';
    this.deadline = host.env.mono() + this.timeout();
    const ahead = !host.log.isUpToDate(m.lastTerm, m.lastIndex);
    const suffix = ahead ? { prevIndex: m.commit, entries: host.log.slice(m.commit + 1) } : {};
    host.send(m.from, { type: 'coordinator-ack', term: host.term, granted: true, outranked: false, lastIndex, lastTerm, ...suffix });
  }

  private onAck(m: CoordinatorAck): void {
    const host = this.host;
    if (this.phase !== 'announcing' || this.granted.has(m.from)) return;
    if (!m.granted) {
      if (m.outranked) {
        // Someone outranks this node and is alive: wait for its coordinator.
        host.becomeFollower(host.term, null);
        this.setPhase('waiting', host.cfg.electionMaxMs);
      } else if (this.noTerm ? m.term > host.term : m.term >= host.term) {
        this.seenTerm = Math.max(this.seenTerm, m.term);
        this.announce();
      }
      return;
    }
    if (m.term !== host.term) return;
    this.granted.add(m.from);
    const best = this.best!;
    if (m.lastTerm > best.lastTerm || (m.lastTerm === best.lastTerm && m.lastIndex > best.lastIndex)) {
      this.best = { from: m.from, lastIndex: m.lastIndex, lastTerm: m.lastTerm, ...(m.entries && { prevIndex: m.prevIndex, entries: m.entries }) };
    }
    if (this.granted.size >= host.quorum) this.lead();
  }

  private lead(): void {
    const host = this.host;
    const best = this.best!;
    // Bug bully-no-term: without a new term no log is known to be newer; the coordinator leads with its own.
    if (!this.noTerm && best.from !== host.cfg.id && best.entries && best.prevIndex !== undefined) {
      host.env.log('info', 'taking the most up-to-date log of the majority', { from: best.from, lastIndex: best.lastIndex, lastTerm: best.lastTerm });
      host.adoptSuffix(best.prevIndex, best.entries);
    }
    this.phase = 'idle';
    host.becomeLeader();
  }
}
