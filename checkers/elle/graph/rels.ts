/**
 * The relations a dependency edge can carry, as bits, so that an edge with several relations
 * is one byte and a search can ask for "ww or wr" with one mask.
 *
 * ww: b overwrote (appended after) a's write; wr: b read a's write; rw: b overwrote the version
 * a read (an anti-dependency); process: the same client ran a then b; realtime: a completed
 * before b was invoked. (Adya's direct dependencies, plus Elle's session and real-time orders.)
 */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;

/** Every relation a transaction's data gives (no orders). */
export const DATA = WW | WR | RW;

/** Relation names, by bit position. */
const NAMES = ['ww', 'wr', 'rw', 'process', 'realtime'] as const;
export type RelName = (typeof NAMES)[number];

/** The name of a single relation bit. */
export function relName(bit: number): RelName {
  return NAMES[31 - Math.clz32(bit)]!;
}

/** The single relations in `mask`, lowest bit first. */
export function relBits(mask: number): number[] {
  const out: number[] = [];
  for (let b = 1; b <= mask; b <<= 1) if (mask & b) out.push(b);
  return out;
}
