/**
 * The fixed structures a search is built on: the event list of invocations and completions,
 * the completion order, and the layout of memo keys.
 *
 * Why precomputed: a memo key must name the linearized set exactly but in a few words. At any
 * point every op that completed before the frontier (the first pending op to complete) is
 * linearized, and no op invoked after the frontier completes is; only ops in between are
 * uncertain. For each possible frontier this module precomputes which words of the linearized
 * bitset cover them, so building a key copies a handful of words and never scans the history.
 */
import { INF, type Compiled } from './compile.js';

/** A 32-bit finaliser (MurmurHash3's fmix32). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Event list, completion order and key layout of one problem. */
export interface Layout {
  /** Entry 2i is op i's invocation, 2i+1 its completion; `HEAD` is the list's sentinel. */
  HEAD: number;
  next: Int32Array;
  prev: Int32Array;
  /** Ops with a completion, in completion order; `RHEAD` is the sentinel. */
  RHEAD: number;
  rnext: Int32Array;
  rprev: Int32Array;
  /** Position of each op in completion order (-1 for unknown outcomes). */
  rank: Int32Array;
  /** Number of ops with a completion. */
  finite: number;
  /** Ordinal of each unknown-outcome op among them (-1 for the others). */
  infoOrd: Int32Array;
  infoWords: number;
  linWords: number;
  /** Per frontier op: first and last word of the uncertain ops, and info words to copy. */
  loW: Int32Array;
  hiW: Int32Array;
  infoW: Int32Array;
  /** Longest key, in words. */
  maxKey: number;
  /** Zobrist words per op. */
  zLo: Int32Array;
  zHi: Int32Array;
}

/** Build the layout of `p`. */
export function buildLayout<S>(p: Compiled<S>): Layout {
  const n = p.n;
  const { call, ret } = p;
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  const events: number[] = [];
  for (let i = 0; i < n; i++) {
    events.push(2 * i);
    if (ret[i] !== INF) events.push(2 * i + 1);
  }
  const at = (e: number): number => ((e & 1) === 0 ? call[e >> 1]! : ret[e >> 1]!);
  events.sort((a, b) => at(a) - at(b));
  let last = HEAD;
  for (const e of events) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  next[last] = HEAD;
  prev[HEAD] = last;

  const byRet: number[] = [];
  for (let i = 0; i < n; i++) if (ret[i] !== INF) byRet.push(i);
  byRet.sort((a, b) => ret[a]! - ret[b]!);
  const RHEAD = n;
  const rnext = new Int32Array(n + 1);
  const rprev = new Int32Array(n + 1);
  const rank = new Int32Array(n).fill(-1);
  last = RHEAD;
  byRet.forEach((i, r) => {
    rank[i] = r;
    rnext[last] = i;
    rprev[i] = last;
    last = i;
  });
  rnext[last] = RHEAD;
  rprev[RHEAD] = last;

  const infoOrd = new Int32Array(n).fill(-1);
  const infoBelow = new Int32Array(n + 1);
  let ni = 0;
  for (let i = 0; i < n; i++) {
    infoBelow[i] = ni;
    if (ret[i] === INF) infoOrd[i] = ni++;
  }
  infoBelow[n] = ni;
  const loW = new Int32Array(n);
  const hiW = new Int32Array(n);
  const infoW = new Int32Array(n);
  let lo = n;
  let maxKey = 2;
  for (let r = byRet.length - 1; r >= 0; r--) {
    const f = byRet[r]!;
    // lo: the earliest-invoked op still pending when f is the frontier.
    if (f < lo) lo = f;
    // hi: number of ops invoked before f completes (invocation positions ascend with id).
    let a = 0;
    let b = n;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (call[m]! < ret[f]!) a = m + 1;
      else b = m;
    }
    loW[f] = lo >>> 5;
    hiW[f] = (a - 1) >>> 5;
    infoW[f] = (infoBelow[lo]! + 31) >>> 5;
    maxKey = Math.max(maxKey, 2 + hiW[f]! - loW[f]! + 1 + infoW[f]!);
  }

  const zLo = new Int32Array(n);
  const zHi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    zLo[i] = fmix(Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995);
    zHi[i] = fmix(Math.imul(i + 1, 0x85ebca77) ^ 0x27d4eb2f);
  }
  return {
    HEAD,
    next,
    prev,
    RHEAD,
    rnext,
    rprev,
    rank,
    finite: byRet.length,
    infoOrd,
    infoWords: ((ni + 31) >>> 5) + 1,
    linWords: ((n + 31) >>> 5) + 1,
    loW,
    hiW,
    infoW,
    maxKey,
    zLo,
    zHi,
  };
}
