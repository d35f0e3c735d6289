/**
 * Simulated histories of a key-value store with appends, shaped like Porcupine's published kv
 * histories (c50): many clients on few keys, each append a unique token ("x 12 3 y"), a get
 * returning the whole value, an occasional put. Linearizable by construction: each operation
 * takes effect at a random point inside its interval, in order of those points. On the `hard`
 * keys some operations run for a long time, overlapping dozens of others, which is what makes
 * a key's search expensive; `loseAppend` then breaks one key plainly.
 */
import type { Op } from '../../src/api/op.js';
import { Rng } from '../../src/gen/rng.js';

/** Shape of a simulated kv history. */
export interface KvSimOptions {
  clients: number;
  keys: number;
  ops: number;
  seed: number;
  /** Keys whose operations sometimes run 20 to 60 times longer than usual. */
  hard?: readonly number[];
}

/** A linearizable get / put / append history over keys "0", "1", .... */
export function simulateKv(o: KvSimOptions): Op[] {
  const rng = new Rng(o.seed);
  const events: { t: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  const planned: { key: string; f: string; value: string; start: number; point: number; end: number; proc: number }[] = [];
  const counters = new Map<number, number>();
  let started = 0;
  const clock = new Array<number>(o.clients).fill(0);
  while (started < o.ops) {
    const c = rng.int(o.clients);
    const k = rng.int(o.keys);
    const roll = rng.float();
    const f = roll < 0.45 ? 'get' : roll < 0.95 ? 'append' : 'put';
    const n = counters.get(c) ?? 0;
    counters.set(c, n + 1);
    const long = o.hard?.includes(k) && rng.float() < 0.15;
    const dur = (1 + rng.int(20)) * (long ? 20 + rng.int(40) : 1);
    const start = clock[c]! + rng.float();
    clock[c] = start + dur + rng.float();
    planned.push({ key: String(k), f, value: f === 'get' ? '' : `x ${c} ${n} y`, start, point: start + rng.float() * dur, end: start + dur, proc: c });
    started++;
  }
  const state = new Map<string, string>();
  const outputs = new Map<number, string>();
  [...planned.keys()]
    .sort((a, b) => planned[a]!.point - planned[b]!.point)
    .forEach((i) => {
      const p = planned[i]!;
      const cur = state.get(p.key) ?? '';
      if (p.f === 'get') outputs.set(i, cur);
      else state.set(p.key, p.f === 'put' ? p.value : cur + p.value);
    });
  planned.forEach((p, i) => {
    events.push({ t: p.start, op: { type: 'invoke', process: p.proc, f: p.f, key: p.key, value: p.f === 'get' ? null : p.value } });
    events.push({ t: p.end, op: { type: 'ok', process: p.proc, f: p.f, key: p.key, value: p.f === 'get' ? outputs.get(i)! : p.value } });
  });
  events.sort((a, b) => a.t - b.t);
  return events.map((e, index) => ({ ...e.op, index, time: Math.round(e.t * 1000) }));
}

/**
 * Break key `key` plainly: the first get that saw an append completed before it began loses
 * that append's token, as a store that dropped a write would answer.
 */
export function loseAppend(h: readonly Op[], key: string): Op[] {
  const out = h.map((o) => ({ ...o }));
  const done: { token: string; at: number }[] = [];
  const invokedAt = new Map<Op['process'], number>();
  for (let i = 0; i < out.length; i++) {
    const o = out[i]!;
    if (o.key !== key) continue;
    if (o.type === 'invoke') invokedAt.set(o.process, i);
    if (o.type === 'ok' && o.f === 'append') done.push({ token: String(o.value), at: i });
    if (o.type === 'ok' && o.f === 'get') {
      const lost = done.find((d) => d.at < invokedAt.get(o.process)! && String(o.value).includes(d.token));
      if (lost) {
        o.value = String(o.value).replace(lost.token, '');
        return out;
      }
    }
  }
  throw new Error(`key ${key} has no get to break`);
}
