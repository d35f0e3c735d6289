/**
 * The embedded default's cluster: node processes on this machine, each behind a tether, its output
 * appended to its log file in the run directory as it runs, its disk a directory that survives
 * restarts. Kill, pause and stop act on the node's own pid; clock skew writes the node's clock
 * file (the node runs here, so the paths in its plan are this machine's).
 *
 * Why operations on one node are queued: each waits for the ones called before it, so they take
 * effect in the order they were called. Without that, two overlapping starts spawned two
 * processes on one data directory, and a start during a stop's grace period was dropped (the node
 * still counted as running) and the node stayed down. Only a kill does not wait its turn in full:
 * it also SIGKILLs a process that a graceful stop is waiting on, so a stop cannot hold it up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Cluster, CommandLaunch, SystemDef } from '../../api/cluster.js';
import type { PlacedNode } from '../../api/host.js';
import { traceFile } from '../../node/message-trace.js';
import { faketimeEnv, writeClockFile } from './faketime.js';
import { localCommand, localProgram } from './programs.js';
import { HARNESS_ENV, processIdentity, signalQuietly } from '../../process-identity.js';
import { NodeSlots } from '../node-slots.js';

/** How long a graceful stop waits before SIGKILL, by default. */
const STOP_GRACE_MS = 10_000;

interface NodeProcess {
  tether: ChildProcess;
  pid: number;
  paused: boolean;
  /** Resolves when the tether (and so the node) is gone. */
  gone: Promise<void>;
  exited: boolean;
  /** Set when the harness itself ends the node, so its exit is not a crash. */
  ending: boolean;
}

interface Slot {
  readonly placed: PlacedNode;
  /** The node's process from its spawn until it is gone (while being stopped too). */
  proc?: NodeProcess;
  /** A tether spawned whose node has not reported its pid yet. */
  spawning?: ChildProcess;
  /** Settles when every operation called so far on this node is done. */
  queue: Promise<void>;
}

/** Set in every node's environment to the run's directory, so leftovers can be traced to a run. */
export const RUN_ENV = 'FAULTLINE_RUN';

export interface LocalClusterOptions {
  /** The run's results directory, exported to nodes as FAULTLINE_RUN. */
  runDir: string;
  system: SystemDef;
  /** Every node, in order; `plan`'s paths are this machine's. */
  nodes: readonly PlacedNode[];
  /** Turns a node's command into the one to run, e.g. inside the node's network namespace. */
  wrapLaunch?: (node: string, launch: CommandLaunch) => CommandLaunch;
  /** Told when a node exits that nobody asked to stop. */
  onCrash: (node: string, how: string) => void;
  /** How long a graceful stop waits before SIGKILL; 10 s by default. */
  stopGraceMs?: number;
}

/** Clusters of this process not torn down yet: a forced exit (no teardown) kills their nodes. */
const live = new Set<LocalCluster>();
let exitWatched = false;

function watchExit(cluster: LocalCluster): void {
  live.add(cluster);
  if (exitWatched) return;
  exitWatched = true;
  // First among the exit handlers: the nodes must be dead before the scratch directory is removed.
  process.prependListener('exit', () => {
    for (const c of live) c.killAllNow();
  });
}

export class LocalCluster implements Cluster {
  readonly nodes: readonly string[];
  readonly clientAddresses: Readonly<Record<string, string>>;
  private readonly slots = new NodeSlots<Slot>();
  private closed = false;

  constructor(private readonly opts: LocalClusterOptions) {
    this.nodes = opts.nodes.map((n) => n.plan.id);
    this.clientAddresses = Object.fromEntries(opts.nodes.map((n) => [n.plan.id, n.clientAddress]));
    for (const placed of opts.nodes) this.slots.add(placed.plan.id, { placed, queue: Promise.resolve() });
    watchExit(this);
  }

  isRunning(node: string): boolean {
    const proc = this.slots.get(node).proc;
    return proc !== undefined && !proc.ending;
  }

  /** The operating-system pid of a running node. */
  pidOf(node: string): number | undefined {
    return this.slots.get(node).proc?.pid;
  }

  start(node: string): Promise<void> {
    return this.slots.enqueue(node, async (slot) => {
      if (this.closed) throw new Error(`cannot start ${node}: the cluster is being torn down`);
      if (!slot.proc) await this.spawn(slot);
    });
  }

  kill(node: string): Promise<void> {
    const current = this.slots.get(node).proc;
    // Cut a graceful stop short: it is waiting for this process to exit.
    if (current?.ending && !current.exited) signalQuietly(current.pid, 'SIGKILL');
    return this.slots.enqueue(node, (slot) => this.end(slot, 'SIGKILL', 0));
  }

  stop(node: string): Promise<void> {
    return this.slots.enqueue(node, (slot) => this.end(slot, 'SIGTERM', this.opts.stopGraceMs ?? STOP_GRACE_MS));
  }

  pause(node: string): Promise<void> {
    return this.slots.enqueue(node, async ({ proc }) => {
      if (!proc || proc.ending || proc.paused) return;
      process.kill(proc.pid, 'SIGSTOP');
      proc.paused = true;
    });
  }

  resume(node: string): Promise<void> {
    return this.slots.enqueue(node, async ({ proc }) => {
      if (!proc || proc.ending || !proc.paused) return;
      process.kill(proc.pid, 'SIGCONT');
      proc.paused = false;
    });
  }

  async setClockOffset(node: string, offsetMs: number): Promise<void> {
    writeClockFile(this.slots.get(node).placed.plan.clockFile, offsetMs, this.opts.system.clock);
  }

  async primary(signal: AbortSignal): Promise<string | undefined> {
    return this.opts.system.primary?.(this, signal);
  }

  logFiles(node: string): string[] {
    const { logFile, plan } = this.slots.get(node).placed;
    return [logFile, ...(plan.logDir !== undefined ? [traceFile(plan.logDir, node)] : [])];
  }

  /** Kill every node at once, starting none any more; used at the end of a run and on interrupt. */
  async teardown(): Promise<void> {
    this.closed = true;
    await Promise.all(this.nodes.map((node) => this.kill(node)));
    live.delete(this);
  }

  /**
   * The forced-exit path (a second Ctrl-C): signal every node now, synchronously, as an exit
   * handler must; a tether still starting its node is asked to end, and ends the node with it.
   */
  killAllNow(): void {
    this.closed = true;
    for (const { proc, spawning } of this.slots.all()) {
      if (proc) signalQuietly(proc.pid, 'SIGKILL');
      for (const tether of [proc?.tether, spawning]) if (tether?.pid !== undefined) signalQuietly(tether.pid, 'SIGTERM');
    }
  }

  private async spawn(slot: Slot): Promise<void> {
    const { plan, logFile } = slot.placed;
    const node = plan.id;
    const own = localCommand(this.opts.system.launch(plan));
    const launch = this.opts.wrapLaunch ? this.opts.wrapLaunch(node, own) : own;
    // libfaketime reads the same clock file, in its own format (see setClockOffset).
    const clockEnv = this.opts.system.clock === 'faketime' ? faketimeEnv(plan.clockFile, launch.env?.LD_PRELOAD ?? process.env.LD_PRELOAD) : {};
    const tetherProgram = localProgram(new URL('./tether.js', import.meta.url), [launch.command, ...launch.args]);
    const log = openSync(logFile, 'a');
    let tether: ChildProcess;
    try {
      tether = spawn(tetherProgram.command, tetherProgram.args, {
        // Own process group: a Ctrl-C in the terminal reaches the harness, which stops nodes in order.
        detached: true,
        stdio: ['ignore', log, log, 'ipc'],
        env: { ...process.env, ...launch.env, ...clockEnv, [RUN_ENV]: this.opts.runDir, [HARNESS_ENV]: processIdentity() },
      });
    } finally {
      closeSync(log);
    }
    const gone = new Promise<void>((resolve) => tether.once('exit', () => resolve()));
    slot.spawning = tether;
    let pid: number;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        tether.once('message', (msg: { pid?: number; error?: string }) => {
          if (msg.pid !== undefined) resolve(msg.pid);
          else reject(new Error(`node ${node} could not start ${launch.command}: ${msg.error ?? 'unknown error'}`));
        });
        tether.once('exit', () => reject(new Error(`node ${node} exited at once; see ${logFile}`)));
        tether.once('error', reject);
      });
    } finally {
      slot.spawning = undefined;
    }
    const proc: NodeProcess = { tether, pid, paused: false, gone, exited: false, ending: false };
    slot.proc = proc;
    tether.on('message', (msg: { exit?: { code: number | null; signal: string | null } }) => {
      if (!msg.exit || proc.ending) return;
      this.opts.onCrash(node, msg.exit.signal ? `killed by ${msg.exit.signal}` : `exit code ${msg.exit.code}`);
    });
    void gone.then(() => {
      proc.exited = true;
      if (slot.proc === proc) slot.proc = undefined;
    });
  }

  private async end(slot: Slot, signal: 'SIGTERM' | 'SIGKILL', graceMs: number): Promise<void> {
    const proc = slot.proc;
    if (!proc) return;
    proc.ending = true;
    signalQuietly(proc.pid, signal);
    if (proc.paused) signalQuietly(proc.pid, 'SIGCONT');
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([proc.gone, late]);
      clearTimeout(timer);
      if (!proc.exited) signalQuietly(proc.pid, 'SIGKILL');
    }
    await proc.gone;
    // Forget this process only: a start may have replaced it meanwhile.
    if (slot.proc === proc) slot.proc = undefined;
  }
}
