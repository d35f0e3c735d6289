/**
 * The embedded default: node processes on this machine, each behind a tether, its output
 * appended to a per-node log file, its disk a directory that survives restarts. Kill, pause and
 * stop act on the node's own pid; clock skew writes the node's clock file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import type { Cluster, NodeLaunch, NodePlan, SystemDef } from '../../api/cluster.js';
import { nodeProgram } from '../../node/entry.js';
import { faketimeEnv, faketimeOffset } from './faketime.js';
import { HARNESS_ENV, processIdentity, signalQuietly } from './process-identity.js';

/** How long a graceful stop waits before SIGKILL. */
const STOP_GRACE_MS = 10_000;

interface NodeProcess {
  tether: ChildProcess;
  pid: number;
  paused: boolean;
  /** Resolves when the tether (and so the node) is gone. */
  gone: Promise<void>;
  /** Set when the harness itself ended the node, so its exit is not a crash. */
  expected: boolean;
}

/** Set in every node's environment to the run's directory, so leftovers can be traced to a run. */
export const RUN_ENV = 'FAULTLINE_RUN';

export interface LocalClusterOptions {
  /** The run's results directory, exported to nodes as FAULTLINE_RUN. */
  runDir: string;
  system: SystemDef;
  plans: Readonly<Record<string, NodePlan>>;
  clientAddresses: Readonly<Record<string, string>>;
  /** Turns a node's launch into the one to run, e.g. inside the node's network namespace. */
  wrapLaunch?: (node: string, launch: NodeLaunch) => NodeLaunch;
  logFile: (node: string) => string;
  /** Told when a node exits that nobody asked to stop. */
  onCrash: (node: string, how: string) => void;
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
  private readonly running = new Map<string, NodeProcess>();
  /** Tethers spawned whose node has not reported its pid yet. */
  private readonly starting = new Map<string, ChildProcess>();
  /** Set by teardown: no node starts after it, whoever asks (a nemesis still restarting one). */
  private closed = false;

  constructor(private readonly opts: LocalClusterOptions) {
    this.nodes = Object.keys(opts.plans);
    this.clientAddresses = opts.clientAddresses;
    watchExit(this);
  }

  isRunning(node: string): boolean {
    return this.running.has(node);
  }

  /** The operating-system pid of a running node. */
  pidOf(node: string): number | undefined {
    return this.running.get(node)?.pid;
  }

  async start(node: string): Promise<void> {
    if (this.closed) throw new Error(`node ${node} not started: the cluster is being torn down`);
    if (this.running.has(node) || this.starting.has(node)) return;
    const plan = this.plan(node);
    const own = this.opts.system.launch(plan);
    const launch = this.opts.wrapLaunch ? this.opts.wrapLaunch(node, own) : own;
    // libfaketime reads the same clock file, in its own format (see setClockOffset).
    const clockEnv = this.opts.system.clock === 'faketime' ? faketimeEnv(plan.clockFile, launch.env?.LD_PRELOAD ?? process.env.LD_PRELOAD) : {};
    const tetherProgram = nodeProgram(new URL('./tether.js', import.meta.url), [launch.command, ...launch.args]);
    const log = openSync(this.opts.logFile(node), 'a');
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
    this.starting.set(node, tether);
    let pid: number;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        tether.once('message', (msg: { pid?: number; error?: string }) => {
          if (msg.pid !== undefined) resolve(msg.pid);
          else reject(new Error(`node ${node} could not start ${launch.command}: ${msg.error ?? 'unknown error'}`));
        });
        tether.once('exit', () => reject(new Error(`node ${node} exited at once; see ${this.opts.logFile(node)}`)));
        tether.once('error', reject);
      });
    } finally {
      this.starting.delete(node);
    }
    if (this.closed) {
      // Torn down while this node was starting: it must not outlive the teardown.
      signalQuietly(pid, 'SIGKILL');
      await gone;
      throw new Error(`node ${node} not started: the cluster is being torn down`);
    }
    const proc: NodeProcess = { tether, pid, paused: false, gone, expected: false };
    this.running.set(node, proc);
    tether.on('message', (msg: { exit?: { code: number | null; signal: string | null } }) => {
      if (!msg.exit || proc.expected) return;
      this.opts.onCrash(node, msg.exit.signal ? `killed by ${msg.exit.signal}` : `exit code ${msg.exit.code}`);
    });
    void gone.then(() => {
      if (this.running.get(node) === proc) this.running.delete(node);
    });
  }

  async kill(node: string): Promise<void> {
    await this.end(node, 'SIGKILL', 0);
  }

  async stop(node: string): Promise<void> {
    await this.end(node, 'SIGTERM', STOP_GRACE_MS);
  }

  async pause(node: string): Promise<void> {
    const proc = this.running.get(node);
    if (!proc || proc.paused) return;
    process.kill(proc.pid, 'SIGSTOP');
    proc.paused = true;
  }

  async resume(node: string): Promise<void> {
    const proc = this.running.get(node);
    if (!proc || !proc.paused) return;
    process.kill(proc.pid, 'SIGCONT');
    proc.paused = false;
  }

  async setClockOffset(node: string, offsetMs: number): Promise<void> {
    const file = this.plan(node).clockFile;
    const text = this.opts.system.clock === 'faketime' ? faketimeOffset(offsetMs) : `${Math.round(offsetMs)}\n`;
    // Write then rename, so a node re-reading the file never sees it empty (no skew) midway.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }

  async primary(signal: AbortSignal): Promise<string | undefined> {
    return this.opts.system.primary?.(this, signal);
  }

  logFiles(node: string): string[] {
    return [this.opts.logFile(node)];
  }

  /**
   * Kill every node at once, and every node still starting; used at the end of a run and on
   * interrupt. No node starts afterwards.
   */
  async teardown(): Promise<void> {
    this.closed = true;
    // A tether that is still starting has no node pid to kill yet; asked to end, it ends its node.
    const starting = [...this.starting.values()].map((tether) => {
      const exited = new Promise<void>((resolve) => (tether.exitCode !== null || tether.signalCode !== null ? resolve() : tether.once('exit', () => resolve())));
      tether.kill('SIGTERM');
      return exited;
    });
    await Promise.all([...[...this.running.keys()].map((node) => this.kill(node)), ...starting]);
    live.delete(this);
  }

  /** The forced-exit path: signal every node and tether now, synchronously (an exit handler cannot wait). */
  killAllNow(): void {
    this.closed = true;
    for (const proc of this.running.values()) {
      signalQuietly(proc.pid, 'SIGKILL');
      if (proc.tether.pid !== undefined) signalQuietly(proc.tether.pid, 'SIGTERM');
    }
    for (const tether of this.starting.values()) if (tether.pid !== undefined) signalQuietly(tether.pid, 'SIGTERM');
  }

  private plan(node: string): NodePlan {
    const plan = this.opts.plans[node];
    if (!plan) throw new Error(`no node named ${node}`);
    return plan;
  }

  private async end(node: string, signal: 'SIGTERM' | 'SIGKILL', graceMs: number): Promise<void> {
    const proc = this.running.get(node);
    if (!proc) return;
    proc.expected = true;
    signalQuietly(proc.pid, signal);
    if (proc.paused) signalQuietly(proc.pid, 'SIGCONT');
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([proc.gone, late]);
      clearTimeout(timer);
      signalQuietly(proc.pid, 'SIGKILL');
    }
    await proc.gone;
    this.running.delete(node);
  }
}
