/**
 * Election and discovery, the recovery phase of the primary-backup core (./zab.ts is the node and
 * its broadcast phase): a node that heard from no primary for an election timeout probes whether
 * a majority would join the next epoch, then announces it (NEWEPOCH). A node joins an epoch only
 * if it is newer than any it joined (`accepted`, durable), so each epoch has at most one primary,
 * and answers with its epoch of last sync (`current`), its last index and the entries after the
 * candidate's commit point. With a majority joined, the candidate takes the history of the most
 * up-to-date of them (highest current epoch, then longest): every committed write is there.
 */
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import type { Unsent } from '../../src/node/transport.js';
import type { History } from './history.js';
import type { AckEpoch, Entry, NewEpoch, PbMessage, Probe, ProbeReply } from './messages.js';
import type { Epochs } from './recovery.js';

/** A peer message as its sender writes it. */
export type Body = Unsent<PbMessage>;

/** What a candidate learned of one node in discovery. */
export type Report = Pick<AckEpoch, 'current' | 'last' | 'commit' | 'entries'>;

/** How a candidate takes office: its epoch, the history to lead with, and what each joined node reported. */
export interface Recovered {
  epoch: number;
  /** The node whose history is the most up to date, and (if another) its entries after `base`. */
  from: string;
  base: number;
  entries: readonly Entry[];
  reports: ReadonlyMap<string, Report>;
}

/** What discovery needs from the node it runs in. */
export interface DiscoveryHost {
  readonly peers: readonly string[];
  readonly quorum: number;
  /** The node's epochs, which discovery moves forward (joining an epoch). */
  readonly epochs: Epochs;
  readonly history: History;
  /** The newest epoch seen in any message. */
  maxSeen: number;
  /** The primary this node follows or runs for (its own id when it leads). */
  leader: string | null;
  readonly leading: boolean;
  stepDown(): void;
  resetElectionTimer(): void;
  send(to: string, body: Body): void;
  /** A majority joined the epoch: lead it. */
  lead(recovered: Recovered): void;
}

interface Campaign {
  epoch: number;
  phase: 'probe' | 'discover';
  /** The candidate's commit point when it announced the epoch: reports hold entries after it. */
  base: number;
  granted: Set<string>;
  reports: Map<string, Report>;
}

export class Discovery {
  private campaign: Campaign | undefined;

  constructor(
    private readonly id: string,
    private readonly env: CoreEnv,
    private readonly host: DiscoveryHost,
  ) {}

  /** Whether this node announced an epoch and waits for a majority to join it. */
  get discovering(): boolean {
    return this.campaign?.phase === 'discover';
  }

  /** Whether a campaign (probe or discovery) is in progress. */
  get running(): boolean {
    return this.campaign !== undefined;
  }

  /** Give up any campaign: another primary leads. */
  cancel(): void {
    this.campaign = undefined;
  }

  /** The election timeout passed: probe for the next epoch. */
  start(): void {
    const host = this.host;
    host.stepDown();
    host.leader = null;
    const epoch = Math.max(host.epochs.accepted, host.maxSeen) + 1;
    this.campaign = { epoch, phase: 'probe', base: 0, granted: new Set([this.id]), reports: new Map() };
    host.resetElectionTimer();
    if (host.quorum <= 1) return this.announce();
    for (const peer of host.peers) host.send(peer, { type: 'probe', epoch });
  }

  onProbe(m: Probe): void {
    this.host.send(m.from, { type: 'probe-reply', epoch: m.epoch, ok: m.epoch > this.host.epochs.accepted, accepted: this.host.epochs.accepted });
  }

  onProbeReply(m: ProbeReply): void {
    if (m.accepted > this.host.maxSeen) this.host.maxSeen = m.accepted;
    const c = this.campaign;
    if (!c || c.phase !== 'probe' || m.epoch !== c.epoch || !m.ok) return;
    c.granted.add(m.from);
    if (c.granted.size >= this.host.quorum) this.announce();
  }

  /** NEWEPOCH: join the epoch ourselves and ask the others to. */
  private announce(): void {
    const { host } = this;
    const c = this.campaign!;
    c.epoch = Math.max(host.epochs.accepted, host.maxSeen) + 1;
    c.phase = 'discover';
    c.base = host.history.commit;
    host.epochs.accepted = c.epoch;
    c.reports.set(this.id, { current: host.epochs.current, last: host.history.lastIndex, commit: host.history.commit, entries: [] });
    this.env.log('info', 'running for primary', { epoch: c.epoch, last: host.history.lastIndex, commit: host.history.commit });
    if (c.reports.size >= host.quorum) return this.takeOffice();
    for (const peer of host.peers) host.send(peer, { type: 'newepoch', epoch: c.epoch, commit: c.base });
  }

  onNewEpoch(m: NewEpoch): void {
    const { host } = this;
    if (m.epoch <= host.epochs.accepted) {
      const ok = m.epoch === host.epochs.accepted && host.leader === m.from && !host.leading;
      if (!ok) return host.send(m.from, { ...this.ackBody(m.epoch, false), entries: [] });
    } else {
      host.stepDown();
      this.campaign = undefined;
      host.epochs.accepted = m.epoch;
      host.leader = m.from;
    }
    host.resetElectionTimer();
    host.send(m.from, { ...this.ackBody(m.epoch, true), entries: host.history.slice(m.commit + 1) });
  }

  private ackBody(epoch: number, ok: boolean): Omit<AckEpoch, 'from' | 'entries'> {
    const { accepted, current } = this.host.epochs;
    return { type: 'ackepoch', epoch, ok, accepted, current, last: this.host.history.lastIndex, commit: this.host.history.commit };
  }

  onAckEpoch(m: AckEpoch): void {
    if (m.accepted > this.host.maxSeen) this.host.maxSeen = m.accepted;
    const c = this.campaign;
    if (!c || c.phase !== 'discover' || m.epoch !== c.epoch) return;
    if (!m.ok) {
      this.env.log('debug', 'epoch refused', { epoch: c.epoch, by: m.from, accepted: m.accepted });
      this.campaign = undefined;
      return;
    }
    c.reports.set(m.from, m);
    if (c.reports.size >= this.host.quorum) this.takeOffice();
  }

  /** Recovery: the most up-to-date history of the majority that joined, and lead with it. */
  private takeOffice(): void {
    const c = this.campaign!;
    this.campaign = undefined;
    let best = this.id;
    let top = c.reports.get(best)!;
    for (const [id, r] of c.reports) {
      if (r.current > top.current || (r.current === top.current && r.last > top.last)) {
        best = id;
        top = r;
      }
    }
    this.host.lead({ epoch: c.epoch, from: best, base: c.base, entries: top.entries, reports: c.reports });
  }
}
