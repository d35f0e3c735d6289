import { setMaxListeners } from 'node:events';

/**
 * A signal that many operations listen to at once (one per node, client or status probe), so
 * Node's warning about more than ten listeners, meant to catch leaks, does not fire for a
 * cluster of eleven nodes: `AbortSignal.any(signals)` without that limit.
 */
export function sharedSignal(...signals: AbortSignal[]): AbortSignal {
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  setMaxListeners(0, signal);
  return signal;
}
