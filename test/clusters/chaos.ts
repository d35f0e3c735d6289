/**
 * Random faults for the simulated cluster (partitions, one-way cuts, crashes of one node or a
 * majority with restarts, clock skew, message loss) under a stream of client reads, writes and
 * cas on one key, plus a read checker: with every written value unique, a read is stale when it
 * returns a value whose committed index is below that of a write acknowledged before the read
 * was even sent.
 */
import { expect } from 'vitest';
import { mulberry32, type CoreSim } from './sim.js';

type Sim = CoreSim<any, any, any, any>;

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  crashes?: boolean;
  oneWay?: boolean;
  /** Skew clocks by up to ± this many ms. */
  skewMs?: number;
}

export interface ChaosOutcome {
  acked: number;
  reads: number;
  staleReads: string[];
}

export function chaos(sim: Sim, opts: ChaosOptions): ChaosOutcome {
  const rng = mulberry32(opts.seed ^ 0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const end = sim.now + opts.durationMs;
  const down = new Map<string, number>();
  let nextFault = sim.now + 300;
  let value = 0;
  const writes = new Map<string, number>();
  const reads: string[] = [];
  while (sim.now < end) {
    sim.run(10);
    for (const [id, at] of down) {
      if (sim.now < at) continue;
      sim.restart(id);
      down.delete(id);
    }
    if (sim.now >= nextFault) {
      nextFault = sim.now + 200 + rng() * 800;
      fault(sim, opts, rng, down);
    }
    const target = pick(sim.ids);
    if (!sim.isUp(target) || rng() < 0.3) continue;
    const roll = rng();
    if (roll < 0.4) {
      reads.push(sim.request(target, { f: 'read', key: 'k' }));
    } else {
      value++;
      const req = roll < 0.8 ? { f: 'write' as const, key: 'k', value } : { f: 'cas' as const, key: 'k', value: [value - 1, value] as [number, number] };
      writes.set(sim.request(target, req), value);
    }
  }
  for (const id of down.keys()) sim.restart(id);
  sim.heal();
  sim.run(3000);
  return { acked: [...writes.keys()].filter((r) => sim.replies.get(r)?.type === 'ok').length, reads: reads.length, staleReads: staleReads(sim, writes, reads) };
}

/**
 * Random faults on a correct cluster, then its promises: no invariant broken, no stale read, and
 * once the faults stop a leader that commits a write.
 */
export function expectSafeUnderChaos(sim: Sim, opts: ChaosOptions): void {
  const out = chaos(sim, opts);
  expect(sim.violations).toEqual([]);
  expect(out.staleReads).toEqual([]);
  sim.dropRate = 0;
  const leader = sim.stableLeader(5000);
  expect(sim.call(leader, { f: 'write', key: 'after', value: opts.seed })).toEqual({ type: 'ok', value: opts.seed });
}

function fault(sim: Sim, opts: ChaosOptions, rng: () => number, down: Map<string, number>): void {
  const roll = rng();
  const up = sim.ids.filter((id) => sim.isUp(id));
  if (roll < 0.3) {
    const shuffled = [...sim.ids].sort(() => rng() - 0.5);
    const cut = 1 + Math.floor(rng() * (sim.ids.length - 1));
    sim.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
  } else if (roll < 0.4 && opts.oneWay) {
    sim.heal();
    const a = sim.ids[Math.floor(rng() * sim.ids.length)]!;
    for (const b of sim.ids) if (b !== a && rng() < 0.6) sim.block(a, b);
  } else if (roll < 0.6 && opts.crashes) {
    const leader = sim.leader();
    const victim = leader !== undefined && rng() < 0.5 ? leader : up[Math.floor(rng() * up.length)]!;
    if (up.length > 1 && sim.isUp(victim)) {
      sim.crash(victim);
      down.set(victim, sim.now + 50 + rng() * 1500);
    }
  } else if (roll < 0.7 && opts.crashes && down.size === 0) {
    const majority = [...sim.ids].sort(() => rng() - 0.5).slice(0, Math.floor(sim.ids.length / 2) + 1);
    const at = sim.now + 100 + rng() * 1500;
    for (const id of majority) {
      sim.crash(id);
      down.set(id, at);
    }
  } else if (roll < 0.8 && opts.skewMs) {
    sim.skew(sim.ids[Math.floor(rng() * sim.ids.length)]!, Math.round((rng() * 2 - 1) * opts.skewMs));
  } else {
    sim.heal();
  }
}

/** Reads that missed a write acknowledged before they were sent (judged by the committed log). */
export function staleReads(sim: Sim, writes: Map<string, number>, reads: readonly string[]): string[] {
  const indexOf = new Map<number | null, number>([[null, 0]]);
  for (const [index, json] of sim.committed) {
    const e = JSON.parse(json) as { cmd: { op: string; value?: unknown } };
    if ((e.cmd.op === 'write' || e.cmd.op === 'cas') && typeof e.cmd.value === 'number' && !indexOf.has(e.cmd.value)) {
      indexOf.set(e.cmd.value, index);
    }
  }
  const acked = [...writes.keys()]
    .filter((rid) => sim.replies.get(rid)?.type === 'ok' && indexOf.has(writes.get(rid)!))
    .map((rid) => ({ at: sim.repliedAt.get(rid)!, index: indexOf.get(writes.get(rid)!)! }));
  const out: string[] = [];
  for (const rid of reads) {
    const res = sim.replies.get(rid);
    if (res?.type !== 'ok') continue;
    const seen = indexOf.get(res.value as number | null);
    const sentAt = sim.requestedAt.get(rid)!;
    const newer = acked.find((w) => w.at < sentAt && (seen === undefined || w.index > seen));
    if (newer) out.push(`read ${rid} at t=${sentAt} returned ${JSON.stringify(res.value)} (index ${seen}) after a write at index ${newer.index} was acknowledged at t=${newer.at}`);
  }
  return out;
}
