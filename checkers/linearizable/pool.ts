/**
 * A pool of worker threads that run key searches (job.ts), one job per worker at a time.
 *
 * Why worker threads: keys are independent, so hard keys can be searched at once on every core,
 * and each worker gets a hard heap limit (`resourceLimits`), so a search that outgrows its share
 * of memory ends its own worker, and with it that key's verdict (`unknown`), never the process.
 * A dead worker is replaced on the next job.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JobControl, type JobRequest, type JobResult } from './job.js';

interface Slot {
  worker: Worker | undefined;
  control: JobControl;
  /** The job running there, and how to hand back its result. */
  job: JobRequest | undefined;
  done: ((r: JobResult) => void) | undefined;
}

/**
 * The worker's entry. Compiled, it is worker.js beside this file; run from the TypeScript
 * sources (tests, benchmarks), a small script registers tsx's loader in the worker first.
 */
function spawn(control: SharedArrayBuffer, slot: number, heapMb: number): Worker {
  const options = {
    workerData: { control, slot },
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.max(8, Math.min(64, heapMb >> 3)) },
  };
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./worker.js', import.meta.url), options);
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** The URL of tsx's ESM API (`register()`), as its package declares it. */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/** Worker threads running jobs; `close` ends them all. */
export class WorkerPool {
  private readonly control: SharedArrayBuffer;
  private readonly slots: Slot[] = [];

  constructor(
    readonly size: number,
    /** Heap limit of each worker, in MiB. */
    private readonly heapMb: number,
  ) {
    this.control = JobControl.buffer(size);
    for (let i = 0; i < size; i++) this.slots.push({ worker: undefined, control: new JobControl(this.control, i), job: undefined, done: undefined });
  }

  /** Workers without a job. */
  get idle(): number {
    return this.slots.filter((s) => s.job === undefined).length;
  }

  /** Run `job` on an idle worker until `deadline` (absolute ms, job.ts's `wallMs`). */
  run(job: JobRequest, deadline: number): Promise<JobResult> {
    const i = this.slots.findIndex((s) => s.job === undefined);
    if (i < 0) throw new Error('no idle worker');
    const slot = this.slots[i]!;
    slot.control.deadline = deadline;
    slot.job = job;
    if (!slot.worker) slot.worker = this.start(i);
    // A worker with a job keeps the process alive until the answer comes; an idle one does not.
    slot.worker.ref();
    const result = new Promise<JobResult>((resolve) => (slot.done = resolve));
    slot.worker.postMessage(job);
    return result;
  }

  /** Move the deadline of a running job. */
  extend(id: number, deadline: number): void {
    for (const s of this.slots) if (s.job?.id === id) s.control.deadline = deadline;
  }

  /** Ask a running job to stop (it answers `cancelled` within a slice). */
  cancel(id: number): void {
    for (const s of this.slots) if (s.job?.id === id) s.control.cancel(id);
  }

  /** End every worker; jobs still running answer `cancelled`. */
  async close(): Promise<void> {
    const workers = this.slots.map((s) => s.worker).filter((w): w is Worker => w !== undefined);
    for (const s of this.slots) this.finish(s, s.job && { id: s.job.id, status: 'cancelled', explored: 0, steps: 0, refuted: 0 });
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private start(i: number): Worker {
    const slot = this.slots[i]!;
    const worker = spawn(this.control, i, this.heapMb);
    worker.on('message', (r: JobResult) => this.finish(slot, r));
    worker.on('error', (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const reason = memory ? `its worker ran out of its ${this.heapMb} MiB heap` : `its worker failed: ${err.message}`;
      slot.worker = undefined;
      this.finish(slot, slot.job && { id: slot.job.id, status: memory ? 'memory' : 'error', explored: 0, steps: 0, refuted: 0, reason });
    });
    worker.on('exit', () => {
      if (slot.worker === worker) slot.worker = undefined;
      this.finish(slot, slot.job && { id: slot.job.id, status: 'error', explored: 0, steps: 0, refuted: 0, reason: 'its worker exited' });
    });
    return worker;
  }

  private finish(slot: Slot, r: JobResult | undefined): void {
    const done = slot.done;
    if (!r || !done || slot.job?.id !== r.id) return;
    slot.job = undefined;
    slot.done = undefined;
    slot.control.cancel(0);
    slot.worker?.unref();
    done(r);
  }
}
