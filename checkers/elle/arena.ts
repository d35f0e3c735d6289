/**
 * Where a check's large typed arrays come from: one ArrayBuffer reserved up front and carved
 * into views, instead of dozens of separate allocations.
 *
 * Why: V8 counts every ArrayBuffer as external memory, and each 64 MB or so of new external
 * memory starts a full mark of the JavaScript heap, which during a check holds the whole
 * history (millions of objects, seconds per mark). Reserving once costs one mark; carving
 * costs none. The reservation is sized generously: pages the check never touches are never
 * mapped. When it runs out, arrays are allocated as usual, so a bad estimate only costs time.
 *
 * The arena is module state on purpose (every allocation site would otherwise need it passed
 * down); concurrent checks may share it safely, since each view is carved once and never
 * reused.
 */

let buffer: ArrayBuffer | undefined;
let used = 0;

/** Reserve `bytes` for the arrays that follow (replacing any earlier reservation). */
export function reserve(bytes: number): void {
  buffer = new ArrayBuffer(Math.max(0, Math.ceil(bytes / 8) * 8));
  used = 0;
}

/** Drop the reservation; views already carved keep their memory until they are unreachable. */
export function release(): void {
  buffer = undefined;
  used = 0;
}

function carve(bytes: number): { buffer: ArrayBuffer; offset: number } | undefined {
  const size = Math.ceil(bytes / 8) * 8;
  if (!buffer || used + size > buffer.byteLength) return undefined;
  const offset = used;
  used += size;
  return { buffer, offset };
}

/** A zeroed Int32Array of n elements. */
export function int32(n: number): Int32Array<ArrayBuffer> {
  const at = carve(4 * n);
  return at ? new Int32Array(at.buffer, at.offset, n) : new Int32Array(n);
}

/** A zeroed Uint8Array of n elements. */
export function uint8(n: number): Uint8Array<ArrayBuffer> {
  const at = carve(n);
  return at ? new Uint8Array(at.buffer, at.offset, n) : new Uint8Array(n);
}

/** A zeroed Float64Array of n elements. */
export function float64(n: number): Float64Array<ArrayBuffer> {
  const at = carve(8 * n);
  return at ? new Float64Array(at.buffer, at.offset, n) : new Float64Array(n);
}
