/**
 * Operation generators. Each worker thread draws from its own stream, seeded from the run's
 * seed and the thread number, so `--seed N` reproduces every thread's sequence of operations.
 */
import type { Invocation } from './client.js';
import type { Rng } from '../gen/rng.js';

/** Yields the next operation of one thread, or `null` when the thread has no more to do. */
export type OpStream = () => Invocation | null;

export interface GeneratorOptions {
  thread: number;
  rng: Rng;
}

export type Generator = (opts: GeneratorOptions) => OpStream;
