/**
 * Ctrl-C and SIGTERM during a run: the first one aborts the run so it can heal, stop its nodes
 * and still write a checkable history and a report; a second one exits at once. Node processes
 * cannot outlive that exit: their tethers kill them when the harness's IPC channel closes.
 */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(announce: () => void): Interrupt {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`faultline: forced exit on second ${sig}\n`);
      process.exit(130);
    }
    announce();
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    // Once interrupted, the handler stays until the process exits: whatever the harness still
    // does on its way out (a teardown, a report, a handle that keeps it alive), a second
    // interrupt must force the exit rather than meet the default action half-way.
    dispose: () => {
      if (controller.signal.aborted) return;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
