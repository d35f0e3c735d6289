/**
 * The rules a thread's generator runs under, the same in the runner (src/runner/workers.ts) and
 * in `simulate()`, so a simulated run draws exactly what a real one would.
 */
import type { Phase } from '../api/generator.js';
import { Rng } from './rng.js';

/** The random stream of one thread in one phase: from the run's seed alone. */
export function threadRng(seed: number, phase: Phase, thread: number): Rng {
  return Rng.derive(seed, `${phase}-thread-${thread}`);
}

/** A wait for a time already reached still waits this long (milliseconds): never a busy loop. */
export const MIN_WAIT_MS = 1;
