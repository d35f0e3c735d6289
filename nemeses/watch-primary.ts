/**
 * Watching for a new primary within milliseconds of its election, for nemeses that strike at
 * that moment (election-crash): ask often, with several asks in flight (src/poll-until.ts), so a
 * slow answer does not hide the change.
 */
import type { Cluster } from '../src/api/cluster.js';
import { pollUntil } from '../src/poll-until.js';

/** The first primary `wanted` accepts, asked for every few ms; `undefined` after `waitMs` or when `signal` aborts. */
export function watchPrimary(cluster: Pick<Cluster, 'primary'>, signal: AbortSignal, waitMs: number, wanted: (primary: string) => boolean): Promise<string | undefined> {
  return pollUntil(async (s) => {
    const primary = await cluster.primary(s);
    return primary !== undefined && wanted(primary) ? primary : undefined;
  }, signal, waitMs);
}
