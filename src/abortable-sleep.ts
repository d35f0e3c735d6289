/** Sleeping that an abort signal cuts short (resolves, never rejects). */

/** The longest delay a Node timer takes; a longer one would fire at once, with a TimeoutOverflowWarning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sleep `ms` (any length: long sleeps are made of timers Node can take) or until `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    let left = ms;
    let timer: NodeJS.Timeout;
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const arm = (): void => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(left > 0 ? arm : done, step);
    };
    arm();
    signal.addEventListener('abort', done, { once: true });
  });
}
