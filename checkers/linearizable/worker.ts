/** A worker thread of the checker's pool (pool.ts): runs one job at a time (job.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { JobControl, runJob, type JobRequest } from './job.js';

const { control, slot } = workerData as { control: SharedArrayBuffer; slot: number };
const words = new JobControl(control, slot);
parentPort!.on('message', (job: JobRequest) => parentPort!.postMessage(runJob(job, words)));
