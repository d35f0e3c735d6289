/**
 * Raft's own election (the default): a follower that hears no leader for a randomized election
 * timeout asks for votes; a candidate whose log is at least as up to date as a majority's wins.
 * With pre-vote (Raft thesis §9.6: no term is spent until a majority would vote, so a node cut
 * off from the cluster does not depose a healthy leader when it returns) and leader stickiness
 * (§4.2.3: a node that heard from a leader within the minimum election timeout ignores vote
 * requests), which read leases rely on.
 */
import type { Election, ElectionHost } from './election.js';
import type { ElectionMessage, VoteReply, VoteRequest } from './messages.js';
import type { MessageBody } from './types.js';

export class VoteElection implements Election {
  private deadline = 0;
  private refusalUntil = 0;
  /** Pre-vote in progress (the node stays a follower until a majority would vote for it). */
  private preVoting = false;
  private votes = new Set<string>();
  private answered = new Set<string>();
  private sentAt = 0;

  constructor(private readonly host: ElectionHost) {
    const now = host.env.mono();
    this.restartTimer(now);
    // A restarted node may have acknowledged a leader just before it died: keep refusing votes
    // for a minimum election timeout so that leader's lease stays sound.
    if (host.term > 0) this.refusalUntil = now + host.cfg.electionMinMs;
  }

  tick(now: number): void {
    if (now >= this.deadline) this.startPreVote();
    else if ((this.preVoting || this.host.role === 'candidate') && now - this.sentAt >= this.host.cfg.heartbeatMs) this.sendVotes();
  }

  receive(m: ElectionMessage): void {
    if (m.type !== 'vote' && m.type !== 'vote-reply') return;
    const host = this.host;
    if (m.type === 'vote' && m.term > host.term && this.inLease()) {
      host.env.log('debug', 'ignoring vote request: a leader is alive', { from: m.from, term: m.term });
      return;
    }
    const preVoteTerm = (m.type === 'vote' && m.pre) || (m.type === 'vote-reply' && m.pre && m.granted);
    if (m.term > host.term && !preVoteTerm) host.becomeFollower(m.term, null);
    if (m.type === 'vote') this.onVote(m);
    else this.onVoteReply(m);
  }

  heardLeader(_leader: string, now: number): void {
    this.preVoting = false;
    this.refusalUntil = now + this.host.cfg.electionMinMs;
    this.restartTimer(now);
  }

  private restartTimer(now: number): void {
    const { electionMinMs, electionMaxMs } = this.host.cfg;
    this.deadline = now + electionMinMs + this.host.env.random() * (electionMaxMs - electionMinMs);
  }

  followed(wasLeader: boolean, now: number): void {
    this.preVoting = false;
    if (wasLeader) this.restartTimer(now);
  }

  private startPreVote(): void {
    this.host.becomeFollower(this.host.term, null);
    this.preVoting = true;
    this.votes = new Set([this.host.cfg.id]);
    this.answered = new Set([this.host.cfg.id]);
    this.restartTimer(this.host.env.mono());
    if (this.votes.size >= this.host.quorum) return this.campaign();
    this.sendVotes();
  }

  private campaign(): void {
    const host = this.host;
    this.preVoting = false;
    host.becomeCandidate(host.term + 1);
    this.votes = new Set([host.cfg.id]);
    this.answered = new Set([host.cfg.id]);
    this.restartTimer(host.env.mono());
    host.env.log('info', 'became candidate', { term: host.term, lastIndex: host.log.lastIndex });
    if (this.votes.size >= host.quorum) return host.becomeLeader();
    this.sendVotes();
  }

  private sendVotes(): void {
    const host = this.host;
    this.sentAt = host.env.mono();
    const pre = this.preVoting;
    const term = pre ? host.term + 1 : host.term;
    for (const peer of host.peers) {
      if (this.answered.has(peer)) continue;
      const body: MessageBody = { type: 'vote', term, lastIndex: host.log.lastIndex, lastTerm: host.log.lastTerm };
      host.send(peer, pre ? { ...body, pre } : body);
    }
  }

  /** Leader stickiness: does this node believe a leader is alive? */
  private inLease(): boolean {
    if (this.host.role === 'leader') return this.host.leaderHasContact(this.host.cfg.electionMinMs);
    return this.host.env.mono() < this.refusalUntil;
  }

  private onVote(m: VoteRequest): void {
    const host = this.host;
    const upToDate = host.log.isUpToDate(m.lastTerm, m.lastIndex);
    if (m.pre) {
      const granted = m.term > host.term && upToDate;
      return host.send(m.from, { type: 'vote-reply', term: granted ? m.term : host.term, granted, pre: true });
    }
    const granted = m.term === host.term && (host.votedFor === null || host.votedFor === m.from) && upToDate;
    if (granted) {
      host.grantVote(m.from);
      this.restartTimer(host.env.mono());
    }
    host.send(m.from, { type: 'vote-reply', term: host.term, granted });
  }

  private onVoteReply(m: VoteReply): void {
    const pre = m.pre === true;
    const asked = pre ? this.host.term + 1 : this.host.term;
    if ((pre ? !this.preVoting : this.host.role !== 'candidate') || (m.granted && m.term !== asked)) return;
    this.answered.add(m.from);
    if (!m.granted) return;
    this.votes.add(m.from);
    if (this.votes.size < this.host.quorum) return;
    if (pre) this.campaign();
    else this.host.becomeLeader();
  }
}
