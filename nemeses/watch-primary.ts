/**
 * Watching for a new primary within milliseconds of its election, for nemeses that strike at
 * that moment (election-crash): ask often, with several asks in flight, so a slow answer does
 * not hide the change.
 */
import { performance } from 'node:perf_hooks';
import type { Cluster } from '../src/api/cluster.js';

/** A new ask for the primary this often while an election is awaited... */
const POLL_EVERY_MS = 2;
/** ...with at most this many asks in flight: a new primary must be seen within milliseconds. */
const POLLS_IN_FLIGHT = 4;

/**
 * The first primary `wanted` accepts, asked for every `POLL_EVERY_MS` with up to
 * `POLLS_IN_FLIGHT` asks at once; `undefined` after `waitMs` or when `signal` aborts.
 */
export function watchPrimary(cluster: Pick<Cluster, 'primary'>, signal: AbortSignal, waitMs: number, wanted: (primary: string) => boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    const started = performance.now();
    let inFlight = 0;
    let done = false;
    const finish = (primary: string | undefined): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve(primary);
    };
    const ask = (): void => {
      if (signal.aborted || performance.now() - started >= waitMs) return finish(undefined);
      if (inFlight >= POLLS_IN_FLIGHT) return;
      inFlight++;
      cluster
        .primary(signal)
        .then((p) => p !== undefined && wanted(p) && finish(p), () => undefined)
        .finally(() => inFlight--);
    };
    const timer = setInterval(ask, POLL_EVERY_MS);
    ask();
  });
}
