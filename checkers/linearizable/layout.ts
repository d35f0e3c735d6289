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
import { fmix } from './hash.js';


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
  linWords: number;
  /**
   * Unknown-outcome ops as counts per class: class c's count of linearized ones sits in
   * `infoMask[c]` at bit `infoShift[c]` of word `infoWord[c]` (-1: the class has none).
   */
  infoWord: Int32Array;
  infoShift: Int32Array;
  infoMask: Int32Array;
  infoWords: number;
  /** Per frontier op: first and last word of the uncertain ops, and count words to copy. */
  loW: Int32Array;
  hiW: Int32Array;
  infoW: Int32Array;
  /** Longest key, in words. */
  maxKey: number;
  /** Zobrist words per op. */
  zLo: Int32Array;
  zHi: Int32Array;
}

/**
 * Where each class's count of linearized unknown-outcome ops lives in the count words.
 *
 * Why counts: among unknown-outcome ops of one class, the search only ever linearizes the
 * earliest-invoked one still pending (symmetry, order.ts), so the linearized ones are always
 * the first k of the class and k says which. A long history accumulates thousands of such ops
 * but few classes, so a memo key holds a few words of counts instead of a bit per op.
 * Classes are laid out in order of their first such op, so a frontier early in the history
 * needs only the first words. A field never straddles two words.
 */
function layOutCounts<S>(p: Compiled<S>): { word: Int32Array; shift: Int32Array; mask: Int32Array; words: number; firstOp: number[]; wordEnd: number[] } {
  const classes = p.space.classes;
  const count = new Int32Array(classes);
  const firstOp: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < p.n; i++) {
    if (p.ret[i] !== INF) continue;
    const c = p.cls[i]!;
    if (count[c] === 0) {
      order.push(c);
      firstOp.push(i);
    }
    count[c]!++;
  }
  const word = new Int32Array(classes).fill(-1);
  const shift = new Int32Array(classes);
  const mask = new Int32Array(classes);
  const wordEnd: number[] = [];
  let w = 0;
  let bit = 0;
  for (const c of order) {
    const width = 32 - Math.clz32(count[c]!);
    if (bit + width > 32) {
      w++;
      bit = 0;
    }
    word[c] = w;
    shift[c] = bit;
    mask[c] = width === 32 ? -1 : (1 << width) - 1;
    bit += width;
    wordEnd.push(w + 1);
  }
  return { word, shift, mask, words: order.length === 0 ? 0 : w + 1, firstOp, wordEnd };
}

/** Build the layout of `p`. */
export function buildLayout<S>(p: Compiled<S>): Layout {
  const n = p.n;
  const { call, ret } = p;
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  let last = HEAD;
  for (const e of eventsInOrder(call, ret, n)) {
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

  const counts = layOutCounts(p);
  const loW = new Int32Array(n);
  const hiW = new Int32Array(n);
  const infoW = new Int32Array(n);
  let lo = n;
  let maxKey = 2;
  for (let r = byRet.length - 1; r >= 0; r--) {
    const f = byRet[r]!;
    // lo: the earliest-invoked op still pending when f is the frontier.
    if (f < lo) lo = f;
    // hi: the last op invoked before f completes (invocation positions ascend with id).
    const hi = countBelow(call, n, ret[f]!) - 1;
    loW[f] = lo >>> 5;
    hiW[f] = hi >>> 5;
    // Count words of the classes whose first unknown-outcome op was invoked by then.
    const k = countBelow(counts.firstOp, counts.firstOp.length, hi + 1);
    infoW[f] = k === 0 ? 0 : counts.wordEnd[k - 1]!;
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
    linWords: ((n + 31) >>> 5) + 1,
    infoWord: counts.word,
    infoShift: counts.shift,
    infoMask: counts.mask,
    infoWords: counts.words + 1,
    loW,
    hiW,
    infoW,
    maxKey,
    zLo,
    zHi,
  };
}

/**
 * Events (2i: op i's invocation, 2i+1: its completion) in history order. Positions are distinct
 * history indices; when they are dense, placing them beats sorting.
 */
function eventsInOrder(call: Int32Array, ret: Int32Array, n: number): Int32Array {
  let maxPos = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    maxPos = Math.max(maxPos, call[i]!);
    count++;
    if (ret[i] !== INF) {
      maxPos = Math.max(maxPos, ret[i]!);
      count++;
    }
  }
  const out = new Int32Array(count);
  if (maxPos < 8 * count + 64) {
    const byPos = new Int32Array(maxPos + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      byPos[call[i]!] = 2 * i;
      if (ret[i] !== INF) byPos[ret[i]!] = 2 * i + 1;
    }
    let k = 0;
    for (let pos = 0; pos <= maxPos; pos++) if (byPos[pos]! >= 0) out[k++] = byPos[pos]!;
    return out;
  }
  const events: number[] = [];
  for (let i = 0; i < n; i++) {
    events.push(2 * i);
    if (ret[i] !== INF) events.push(2 * i + 1);
  }
  const at = (e: number): number => ((e & 1) === 0 ? call[e >> 1]! : ret[e >> 1]!);
  events.sort((a, b) => at(a) - at(b));
  out.set(events);
  return out;
}

/** How many of the ascending `xs[0..len)` are below `x`. */
function countBelow(xs: ArrayLike<number>, len: number, x: number): number {
  let a = 0;
  let b = len;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (xs[m]! < x) a = m + 1;
    else b = m;
  }
  return a;
}
