/**
 * One key's search as a job: what a worker thread is sent, what it sends back, and the loop
 * that runs it there.
 *
 * Why plain data both ways: a worker shares no objects with the main thread. It gets the
 * problem's typed arrays and one operation per class (compile.ts's `ProblemData`) and the
 * model's name, rebuilds the state space itself, and answers with a status, figures and, for a
 * refuted key, evidence as ids and strings that the main thread explains next to the history.
 * Deadlines and cancellation travel through shared memory, which the running search reads
 * between slices without ever yielding to the event loop.
 */
import { heapTooFull } from './budget.js';
import { withSpace, type ProblemData } from './compile.js';
import type { Evidence } from './evidence.js';
import { KeySearch, type KeySearchOptions, type KeyStatus } from './key-search.js';
import { modelByName } from './kv-model.js';
import { perKeyProduct, type CheckerModel } from './models.js';

/** A model a worker can rebuild: a name from the registry, per key when `product`. */
export interface ModelSpec {
  name: string;
  product: boolean;
}

/** What a worker is asked to do. */
export interface JobRequest {
  id: number;
  data: ProblemData;
  model: ModelSpec;
  opts: KeySearchOptions;
}

/** How a job ended: decided, out of memory, out of time, cancelled, or failed. */
export type JobStatus = Exclude<KeyStatus, 'running'> | 'timeout' | 'cancelled' | 'error';

/** What a worker answers. */
export interface JobResult {
  id: number;
  status: JobStatus;
  explored: number;
  steps: number;
  refuted: number;
  /** Windows of the windowed search (segments.ts). */
  windows?: number;
  evidence?: Evidence;
  reason?: string;
}

/**
 * Shared control words of one worker slot: its job's deadline (absolute ms), and the id of a job
 * to cancel.
 */
export class JobControl {
  private readonly words: Float64Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly slot: number,
  ) {
    this.words = new Float64Array(buffer);
  }

  /** Room for `slots` workers. */
  static buffer(slots: number): SharedArrayBuffer {
    return new SharedArrayBuffer(16 * slots);
  }

  get deadline(): number {
    return this.words[2 * this.slot]!;
  }

  set deadline(ms: number) {
    this.words[2 * this.slot] = ms;
  }

  get cancelled(): number {
    return this.words[2 * this.slot + 1]!;
  }

  cancel(id: number): void {
    this.words[2 * this.slot + 1] = id;
  }
}

/** Milliseconds since the epoch, comparable between threads (each has its own `performance`). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Steps between looks at the control words and the heap. */
const CHUNK = 1 << 15;

/** The model a spec names. */
export function modelOf(spec: ModelSpec): CheckerModel<unknown> {
  const base = modelByName(spec.name) as CheckerModel<unknown>;
  return (spec.product ? perKeyProduct(base) : base) as CheckerModel<unknown>;
}

/** Run a job to its end (in a worker thread). */
export function runJob(job: JobRequest, control: JobControl): JobResult {
  let search: KeySearch | undefined;
  const result = (status: JobStatus, reason?: string): JobResult => {
    const r: JobResult = { id: job.id, status, explored: search?.explored ?? 0, steps: search?.steps ?? 0, refuted: search?.refuted ?? 0 };
    if (search?.windows) r.windows = search.windows;
    if (search?.evidence && status === 'illegal') r.evidence = search.evidence;
    const why = reason ?? search?.reason;
    if (why !== undefined) r.reason = why;
    return r;
  };
  try {
    const model = modelOf(job.model);
    search = new KeySearch({ ...withSpace(job.data, model), ops: [] }, model, job.opts);
    while (search.run(CHUNK) === 'running') {
      if (control.cancelled === job.id) return result('cancelled');
      if (wallMs() >= control.deadline) return result('timeout');
      const full = heapTooFull();
      if (full) return result('memory', full);
    }
    return result(search.result as JobStatus);
  } catch (err) {
    // A typed array or a map that cannot grow: out of memory, said as such.
    if (err instanceof RangeError) return result('memory', `an allocation failed (${err.message})`);
    return result('error', err instanceof Error ? err.message : String(err));
  }
}
