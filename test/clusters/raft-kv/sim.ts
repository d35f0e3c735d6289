/**
 * A deterministic in-process simulation of a raft-kv cluster: Raft cores driven by virtual time,
 * a network with delays, drops and (one-way) partitions, disks that survive crashes, and
 * invariant checks (one leader per term, committed entries never change).
 */
import { makeConfig, type RaftConfig } from '../../../clusters/raft-kv/config.js';
import type { Entry } from '../../../clusters/raft-kv/log.js';
import type { RaftMessage } from '../../../clusters/raft-kv/messages.js';
import type { KvRequest, KvResult } from '../../../clusters/raft-kv/protocol.js';
import { Raft, type HardState, type RaftEnv } from '../../../clusters/raft-kv/raft.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimOptions {
  nodes?: number;
  seed?: number;
  bugs?: string[];
  readMode?: string;
  /** Probability a message is lost. */
  dropRate?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  tickMs?: number;
}

interface Disk {
  hardState?: HardState;
  entries: Entry[];
}

interface SimNode {
  id: string;
  raft: Raft | undefined;
  disk: Disk;
  skewMs: number;
  checkedCommit: number;
  events: string[];
}

interface InFlight {
  at: number;
  order: number;
  to: string;
  msg: RaftMessage;
}

export class Sim {
  now = 0;
  readonly ids: string[];
  readonly replies = new Map<string, KvResult>();
  /** When each request was made and answered (virtual ms). */
  readonly requestedAt = new Map<string, number>();
  readonly repliedAt = new Map<string, number>();
  readonly leadersByTerm = new Map<number, string>();
  readonly violations: string[] = [];
  /** index → the entry first seen committed there (JSON). */
  readonly committed = new Map<number, string>();
  dropRate: number;
  private readonly nodes = new Map<string, SimNode>();
  private queue: InFlight[] = [];
  private order = 0;
  private blocked = new Set<string>();
  private readonly rng: () => number;
  private ridSeq = 0;
  private readonly opts: Required<Omit<SimOptions, 'bugs' | 'readMode' | 'seed' | 'nodes' | 'dropRate'>>;

  constructor(private readonly options: SimOptions = {}) {
    const n = options.nodes ?? 3;
    this.ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    this.rng = mulberry32(options.seed ?? 1);
    this.dropRate = options.dropRate ?? 0;
    this.opts = { minDelayMs: options.minDelayMs ?? 1, maxDelayMs: options.maxDelayMs ?? 4, tickMs: options.tickMs ?? 5 };
    for (const id of this.ids) {
      const node: SimNode = { id, raft: undefined, disk: { entries: [] }, skewMs: 0, checkedCommit: 0, events: [] };
      this.nodes.set(id, node);
      this.boot(node);
    }
  }

  config(id: string): RaftConfig {
    const opts: Parameters<typeof makeConfig>[2] = { bugs: this.options.bugs ?? [] };
    if (this.options.readMode) opts.readMode = this.options.readMode;
    return makeConfig(id, this.ids, opts);
  }

  raft(id: string): Raft {
    const r = this.nodes.get(id)?.raft;
    if (!r) throw new Error(`${id} is down`);
    return r;
  }

  isUp(id: string): boolean {
    return this.nodes.get(id)?.raft !== undefined;
  }

  disk(id: string): Disk {
    return this.nodes.get(id)!.disk;
  }

  events(id: string): string[] {
    return this.nodes.get(id)!.events;
  }

  /** Shift a node's wall clock (used only by leases). */
  skew(id: string, ms: number): void {
    this.nodes.get(id)!.skewMs = ms;
  }

  crash(id: string): void {
    const node = this.nodes.get(id)!;
    node.raft = undefined;
    this.queue = this.queue.filter((m) => m.to !== id);
  }

  restart(id: string): void {
    const node = this.nodes.get(id)!;
    if (node.raft) return;
    this.boot(node);
  }

  /** Cut every link between different groups (both ways). Nodes in no group are isolated. */
  partition(groups: string[][]): void {
    this.blocked.clear();
    const groupOf = new Map<string, number>();
    groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
    for (const a of this.ids) {
      for (const b of this.ids) {
        if (a !== b && (groupOf.get(a) === undefined || groupOf.get(a) !== groupOf.get(b))) this.block(a, b);
      }
    }
  }

  /** Drop messages from `from` to `to` (one way). */
  block(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Submit a client request to a node; its reply appears in `replies` under the returned id. */
  request(id: string, req: KvRequest): string {
    const rid = `r${++this.ridSeq}`;
    this.requestedAt.set(rid, this.now);
    this.raft(id).request(rid, req);
    this.pump(this.nodes.get(id)!);
    return rid;
  }

  /** Advance virtual time by `ms`, 1 ms at a time. */
  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) this.step();
  }

  /** Run until `pred` holds (checked each ms); returns the time it took, or throws. */
  runUntil(pred: () => boolean, maxMs: number): number {
    const start = this.now;
    while (!pred()) {
      if (this.now - start >= maxMs) throw new Error(`condition not met within ${maxMs} ms`);
      this.step();
    }
    return this.now - start;
  }

  /** The live leader of the highest term, if any. */
  leader(): string | undefined {
    let best: string | undefined;
    let term = -1;
    for (const node of this.nodes.values()) {
      const s = node.raft?.status();
      if (s?.role === 'leader' && s.term > term) {
        best = node.id;
        term = s.term;
      }
    }
    return best;
  }

  /** Run until there is a leader that has committed an entry of its term. */
  stableLeader(maxMs = 5000, among: readonly string[] = this.ids): string {
    let found: string | undefined;
    this.runUntil(() => {
      for (const id of among) {
        const r = this.nodes.get(id)!.raft;
        if (r?.status().role === 'leader' && r.log.term(r.commitIndex) === r.currentTerm) {
          found = id;
          return true;
        }
      }
      return false;
    }, maxMs);
    return found!;
  }

  /** Submit and run until answered; returns the reply. */
  call(id: string, req: KvRequest, maxMs = 3000): KvResult {
    const rid = this.request(id, req);
    this.runUntil(() => this.replies.has(rid), maxMs);
    return this.replies.get(rid)!;
  }

  private boot(node: SimNode): void {
    const env: RaftEnv = {
      mono: () => this.now,
      wall: () => 1_700_000_000_000 + this.now + node.skewMs,
      random: this.rng,
      log: (level, message, fields) => {
        if (level !== 'debug' || message.startsWith('bug')) {
          node.events.push(`${this.now} ${message} ${JSON.stringify(fields ?? {})}`);
        }
      },
    };
    const persisted = { entries: [...node.disk.entries], ...(node.disk.hardState ? { hardState: { ...node.disk.hardState } } : {}) };
    node.raft = new Raft(this.config(node.id), env, persisted);
    node.checkedCommit = 0;
    this.pump(node);
  }

  private step(): void {
    this.now++;
    this.queue.sort((a, b) => a.at - b.at || a.order - b.order);
    while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
      const m = this.queue.shift()!;
      const node = this.nodes.get(m.to)!;
      if (!node.raft) continue;
      node.raft.receive(JSON.parse(JSON.stringify(m.msg)) as RaftMessage);
      this.pump(node);
    }
    if (this.now % this.opts.tickMs === 0) {
      for (const node of this.nodes.values()) {
        if (!node.raft) continue;
        node.raft.tick();
        this.pump(node);
      }
    }
    this.check();
  }

  private pump(node: SimNode): void {
    const raft = node.raft;
    if (!raft) return;
    for (let rd = raft.ready(); rd; rd = raft.ready()) {
      if (rd.hardState) node.disk.hardState = { ...rd.hardState };
      if (rd.log) {
        node.disk.entries.length = Math.min(node.disk.entries.length, rd.log.from - 1);
        for (const entry of rd.log.entries) node.disk.entries.push(entry);
      }
      for (const { to, msg } of rd.messages) {
        if (this.blocked.has(`${node.id}>${to}`) || this.rng() < this.dropRate) continue;
        const delay = this.opts.minDelayMs + Math.floor(this.rng() * (this.opts.maxDelayMs - this.opts.minDelayMs + 1));
        this.queue.push({ at: this.now + delay, order: this.order++, to, msg });
      }
      for (const { rid, result } of rd.replies) {
        if (this.replies.has(rid)) continue;
        this.replies.set(rid, result);
        this.repliedAt.set(rid, this.now);
      }
    }
  }

  private check(): void {
    for (const node of this.nodes.values()) {
      const r = node.raft;
      if (!r) continue;
      const s = r.status();
      if (s.role === 'leader') {
        const prev = this.leadersByTerm.get(s.term);
        if (prev === undefined) this.leadersByTerm.set(s.term, node.id);
        else if (prev !== node.id) this.violate(`two leaders in term ${s.term}: ${prev} and ${node.id}`);
      }
      for (let i = node.checkedCommit + 1; i <= Math.min(r.commitIndex, r.log.lastIndex); i++) {
        const entry = JSON.stringify(r.log.get(i));
        const prev = this.committed.get(i);
        if (prev === undefined) this.committed.set(i, entry);
        else if (prev !== entry) this.violate(`index ${i} committed as ${prev} and as ${entry} (${node.id})`);
      }
      node.checkedCommit = Math.max(node.checkedCommit, Math.min(r.commitIndex, r.log.lastIndex));
    }
  }

  private violate(what: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now} ${what}`);
  }
}
