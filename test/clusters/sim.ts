/**
 * A deterministic in-process simulation of a bundled key-value cluster: protocol cores (raft-kv,
 * multi-paxos-kv, primary-backup, ...) driven by virtual time, a network with delays, drops and
 * (one-way) partitions, disks that survive crashes, and the invariants every such system keeps
 * (at most one leader per term, a committed slot never changes). A system plugs in through a
 * `SimSystem`: how to boot a core from its disk, what a batch makes durable, what is committed.
 */
import type { KvRequest, KvResult } from '../../src/node/kv/protocol.js';
import type { CoreBatch, CoreEnv, NodeCore } from '../../src/node/kv/run-node.js';

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

/** How a system runs in the simulation. `Disk` is what survives a crash. */
export interface SimSystem<M, B extends CoreBatch, C extends NodeCore<M, B, R>, Disk, R = KvRequest> {
  emptyDisk(): Disk;
  /** A core starting from what `disk` holds (copy it: the core must not share it). */
  boot(id: string, ids: readonly string[], env: CoreEnv, disk: Disk): C;
  /** Make a batch's durable part part of `disk`. */
  persist(disk: Disk, batch: B): void;
  /** The committed entry at `index` (an object with the command as `cmd`), when the core has it. */
  committedEntry(core: C, index: number): { cmd: unknown } | undefined;
  /** Does this leader serve reads yet (its leadership fully established)? */
  serving(core: C): boolean;
}

export interface SimOptions {
  nodes?: number;
  seed?: number;
  /** Probability a message is lost. */
  dropRate?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  tickMs?: number;
}

interface SimNode<C, Disk> {
  id: string;
  core: C | undefined;
  disk: Disk;
  skewMs: number;
  checkedCommit: number;
  events: string[];
}

interface InFlight<M> {
  at: number;
  order: number;
  to: string;
  msg: M;
}

export class CoreSim<M, B extends CoreBatch, C extends NodeCore<M, B, R>, Disk, R = KvRequest> {
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
  private readonly nodes = new Map<string, SimNode<C, Disk>>();
  private queue: InFlight<M>[] = [];
  private order = 0;
  private blocked = new Set<string>();
  private readonly rng: () => number;
  private ridSeq = 0;
  private readonly opts: { minDelayMs: number; maxDelayMs: number; tickMs: number };

  constructor(
    private readonly system: SimSystem<M, B, C, Disk, R>,
    options: SimOptions = {},
  ) {
    const n = options.nodes ?? 3;
    this.ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    this.rng = mulberry32(options.seed ?? 1);
    this.dropRate = options.dropRate ?? 0;
    this.opts = { minDelayMs: options.minDelayMs ?? 1, maxDelayMs: options.maxDelayMs ?? 4, tickMs: options.tickMs ?? 5 };
    for (const id of this.ids) {
      const node: SimNode<C, Disk> = { id, core: undefined, disk: system.emptyDisk(), skewMs: 0, checkedCommit: 0, events: [] };
      this.nodes.set(id, node);
      this.boot(node);
    }
  }

  /** The core of a running node. */
  core(id: string): C {
    const c = this.nodes.get(id)?.core;
    if (!c) throw new Error(`${id} is down`);
    return c;
  }

  isUp(id: string): boolean {
    return this.nodes.get(id)?.core !== undefined;
  }

  disk(id: string): Disk {
    return this.nodes.get(id)!.disk;
  }

  events(id: string): string[] {
    return this.nodes.get(id)!.events;
  }

  /** Shift a node's wall clock. */
  skew(id: string, ms: number): void {
    this.nodes.get(id)!.skewMs = ms;
  }

  crash(id: string): void {
    const node = this.nodes.get(id)!;
    node.core = undefined;
    this.queue = this.queue.filter((m) => m.to !== id);
  }

  restart(id: string): void {
    const node = this.nodes.get(id)!;
    if (node.core) return;
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
  request(id: string, req: R): string {
    const rid = `r${++this.ridSeq}`;
    this.requestedAt.set(rid, this.now);
    this.core(id).request(rid, req);
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
      const s = node.core?.status();
      if (s?.role === 'leader' && s.term > term) {
        best = node.id;
        term = s.term;
      }
    }
    return best;
  }

  /** Run until one of `among` leads and serves reads. */
  stableLeader(maxMs = 5000, among: readonly string[] = this.ids): string {
    let found: string | undefined;
    this.runUntil(() => {
      found = among.find((id) => {
        const c = this.nodes.get(id)!.core;
        return c?.status().role === 'leader' && this.system.serving(c);
      });
      return found !== undefined;
    }, maxMs);
    return found!;
  }

  /** Submit and run until answered; returns the reply. */
  call(id: string, req: R, maxMs = 3000): KvResult {
    const rid = this.request(id, req);
    this.runUntil(() => this.replies.has(rid), maxMs);
    return this.replies.get(rid)!;
  }

  private boot(node: SimNode<C, Disk>): void {
    const env: CoreEnv = {
      mono: () => this.now,
      wall: () => 1_700_000_000_000 + this.now + node.skewMs,
      random: this.rng,
      log: (level, message, fields) => {
        if (level !== 'debug' || message.startsWith('bug')) {
          node.events.push(`${this.now} ${message} ${JSON.stringify(fields ?? {})}`);
        }
      },
    };
    node.core = this.system.boot(node.id, this.ids, env, node.disk);
    node.checkedCommit = 0;
    this.pump(node);
  }

  private step(): void {
    this.now++;
    this.queue.sort((a, b) => a.at - b.at || a.order - b.order);
    while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
      const m = this.queue.shift()!;
      const node = this.nodes.get(m.to)!;
      if (!node.core) continue;
      node.core.receive(JSON.parse(JSON.stringify(m.msg)) as M);
      this.pump(node);
    }
    if (this.now % this.opts.tickMs === 0) {
      for (const node of this.nodes.values()) {
        if (!node.core) continue;
        node.core.tick();
        this.pump(node);
      }
    }
    this.check();
  }

  private pump(node: SimNode<C, Disk>): void {
    const core = node.core;
    if (!core) return;
    for (let rd = core.ready(); rd; rd = core.ready()) {
      this.system.persist(node.disk, rd);
      for (const { to, msg } of rd.messages) {
        if (this.blocked.has(`${node.id}>${to}`) || this.rng() < this.dropRate) continue;
        const delay = this.opts.minDelayMs + Math.floor(this.rng() * (this.opts.maxDelayMs - this.opts.minDelayMs + 1));
        this.queue.push({ at: this.now + delay, order: this.order++, to, msg: msg as M });
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
      const core = node.core;
      if (!core) continue;
      const s = core.status();
      if (s.role === 'leader') {
        const prev = this.leadersByTerm.get(s.term);
        if (prev === undefined) this.leadersByTerm.set(s.term, node.id);
        else if (prev !== node.id) this.violate(`two leaders in term ${s.term}: ${prev} and ${node.id}`);
      }
      let i = node.checkedCommit + 1;
      for (; i <= s.commitIndex; i++) {
        const found = this.system.committedEntry(core, i);
        if (found === undefined) break;
        const entry = JSON.stringify(found);
        const prev = this.committed.get(i);
        if (prev === undefined) this.committed.set(i, entry);
        else if (prev !== entry) this.violate(`index ${i} committed as ${prev} and as ${entry} (${node.id})`);
      }
      node.checkedCommit = Math.max(node.checkedCommit, i - 1);
    }
  }

  private violate(what: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now} ${what}`);
  }
}

/**
 * One core driven by hand, for unit tests of protocol steps: `make` builds it on a clock the test
 * moves (`advance`), and `drain` empties its batches, returning them and the messages they send.
 */
export function byHand<C extends { ready(): CoreBatch | undefined }>(make: (env: CoreEnv) => C) {
  type B = NonNullable<ReturnType<C['ready']>>;
  let now = 0;
  const core = make({ mono: () => now, wall: () => now, random: () => 0.5, log: () => {} });
  const drain = (): { out: B['messages'][number][]; batches: B[] } => {
    const out: B['messages'][number][] = [];
    const batches: B[] = [];
    for (let rd = core.ready() as B | undefined; rd; rd = core.ready() as B | undefined) {
      batches.push(rd);
      for (const m of rd.messages) out.push(m);
    }
    return { out, batches };
  };
  return { core, drain, advance: (ms: number) => (now += ms) };
}
