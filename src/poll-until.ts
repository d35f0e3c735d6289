/**
 * Asking again and again for something that lasts only moments (a newly elected leader, a
 * transaction inside its uncertain window), for faults that must strike then: a new ask every
 * few milliseconds, with several in flight, so one slow answer does not hide the moment.
 */
import { performance } from 'node:perf_hooks';

/** A new ask this often... */
export const POLL_EVERY_MS = 2;
/** ...with at most this many in flight. */
export const POLLS_IN_FLIGHT = 4;

/**
 * The first answer of `ask` that is not undefined, asked every POLL_EVERY_MS with up to
 * POLLS_IN_FLIGHT asks at once (an ask that throws counts as undefined); undefined after
 * `waitMs` or when `signal` aborts.
 */
export function pollUntil<T>(ask: (signal: AbortSignal) => Promise<T | undefined>, signal: AbortSignal, waitMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const started = performance.now();
    let inFlight = 0;
    let done = false;
    const finish = (found: T | undefined): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve(found);
    };
    const next = (): void => {
      if (signal.aborted || performance.now() - started >= waitMs) return finish(undefined);
      if (inFlight >= POLLS_IN_FLIGHT) return;
      inFlight++;
      ask(signal)
        .then((found) => found !== undefined && finish(found), () => undefined)
        .finally(() => inFlight--);
    };
    const timer = setInterval(next, POLL_EVERY_MS);
    next();
  });
}
