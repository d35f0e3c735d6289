/**
 * The cluster of `--hosts ssh`: one node process per host, started over SSH as a daemon that
 * outlives the SSH channel (setsid + nohup), with its output appended to a log file, its pid in
 * a pid file and, when it ends, its pid and exit status in an exit file, both written by a small
 * `sh` wrapper that waits for it. Stop, kill -9, pause and resume are signals to that pid; clock
 * skew writes the node's clock file over SFTP (write, then rename over the old one). A poller
 * copies what each log gained into `results/<run>/nodes/<node>.log` and notices nodes that ended
 * on their own. As in the embedded default, operations on one node are queued so they take effect
 * in the order they were called; only a kill cuts a graceful stop short.
 */
import { appendFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Cluster, CommandLaunch, SystemDef } from '../../api/cluster.js';
import type { PlacedNode } from '../../api/host.js';
import { faketimeOffset } from '../local/faketime.js';
import { shq, type SshConnection } from './connection.js';
import { appendNew, readSmallFile, writeFileAtomic } from './sftp-files.js';
import { NodeSlots } from '../node-slots.js';

/** How long a graceful stop waits before SIGKILL, as in the embedded default. */
const STOP_GRACE_MS = 10_000;
/** How often logs and exits are looked at. */
const POLL_MS = 500;

/** One node: where it runs and how it is started there. */
export interface RemoteNode {
  placed: PlacedNode;
  conn: SshConnection;
  /** The run's directory on the host (data, clock, log, pid and exit files). */
  runDir: string;
  /** The node's command on the host, environment included. */
  launch: CommandLaunch;
}

interface Slot {
  readonly node: RemoteNode;
  /** The running process's pid; unset when down. */
  pid?: number;
  paused: boolean;
  /** Set while the harness ends the process, so its exit is no crash. */
  ending: boolean;
  /** Bytes of the remote log already copied. */
  logOffset: number;
  queue: Promise<void>;
  /** Clock writes, in order. */
  clock: Promise<void>;
}

export interface RemoteClusterOptions {
  system: SystemDef;
  nodes: readonly RemoteNode[];
  onCrash: (node: string, how: string) => void;
  /** Told of a problem the run goes on after (a log that could not be copied). */
  warn: (text: string) => void;
}

/** Remote paths of a node's files in the run's directory. */
const files = (dir: string) => ({
  data: `${dir}/data`,
  clock: `${dir}/clock`,
  log: `${dir}/node.log`,
  pid: `${dir}/node.pid`,
  exit: `${dir}/node.exit`,
});

/** Paths of a node's files on its host, for its plan. */
export const remoteNodeFiles = files;

/** `exit code 1` or `killed by SIGKILL`, from a shell's `$?`. */
function howEnded(status: number): string {
  if (status <= 128) return `exit code ${status}`;
  const name = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
  return `killed by ${name ?? `signal ${status - 128}`}`;
}

/**
 * The script that starts a node: clears the last pid and exit files, runs the wrapper in a session
 * of its own, waits for the pid file and prints the pid.
 */
function startScript(node: RemoteNode): string {
  const f = files(node.runDir);
  const env = Object.entries(node.launch.env ?? {}).map(([k, v]) => shq(`${k}=${v}`));
  const command = ['env', ...env, shq(node.launch.command), ...node.launch.args.map(shq)].join(' ');
  // The wrapper records the pid, waits, and records how the process ended.
  const wrapper = `"$@" & p=$!; echo $p > ${shq(`${f.pid}.tmp`)} && mv ${shq(`${f.pid}.tmp`)} ${shq(f.pid)}; wait $p; s=$?; echo "$p $s" > ${shq(`${f.exit}.tmp`)} && mv ${shq(`${f.exit}.tmp`)} ${shq(f.exit)}`;
  return [
    `cd ${shq(node.runDir)} && rm -f ${shq(f.pid)} ${shq(f.exit)} && mkdir -p ${shq(f.data)}`,
    `setsid nohup sh -c ${shq(wrapper)} faultline-node ${command} < /dev/null >> ${shq(f.log)} 2>&1 &`,
    `i=0; while [ ! -s ${shq(f.pid)} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; cat ${shq(f.pid)}`,
  ].join('\n');
}

/** Signal `pid`, then wait until it is gone; after `graceMs`, SIGKILL it (0: wait without one). */
function endScript(pid: number, signal: 'TERM' | 'KILL', graceMs: number): string {
  const ticks = Math.ceil(graceMs / 50);
  return [
    `kill -${signal} ${pid} 2>/dev/null; kill -CONT ${pid} 2>/dev/null; i=0`,
    `while kill -0 ${pid} 2>/dev/null; do`,
    graceMs > 0 ? `  [ $i -eq ${ticks} ] && kill -KILL ${pid} 2>/dev/null` : '  :',
    `  i=$((i+1)); sleep 0.05`,
    'done',
  ].join('\n');
}

export class RemoteCluster implements Cluster {
  readonly nodes: readonly string[];
  readonly clientAddresses: Readonly<Record<string, string>>;
  private readonly slots = new NodeSlots<Slot>();
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RemoteClusterOptions) {
    this.nodes = opts.nodes.map((n) => n.placed.plan.id);
    this.clientAddresses = Object.fromEntries(opts.nodes.map((n) => [n.placed.plan.id, n.placed.clientAddress]));
    for (const node of opts.nodes) {
      this.slots.add(node.placed.plan.id, { node, paused: false, ending: false, logOffset: 0, queue: Promise.resolve(), clock: Promise.resolve() });
    }
    this.poller = setInterval(() => void (this.polling = this.polling.then(() => this.pollAll())), POLL_MS);
  }

  isRunning(node: string): boolean {
    const slot = this.slots.get(node);
    return slot.pid !== undefined && !slot.ending;
  }

  /** The pid of a running node on its host. */
  pidOf(node: string): number | undefined {
    return this.slots.get(node).pid;
  }

  start(node: string): Promise<void> {
    return this.slots.enqueue(node, async (slot) => {
      if (this.closed) throw new Error(`cannot start ${node}: the cluster is being torn down`);
      if (slot.pid !== undefined) return;
      const out = await slot.node.conn.run(startScript(slot.node), `starting node ${node}`);
      const pid = Number(out.trim().split('\n').pop());
      if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`node ${node} did not start on its host (no pid file); see ${slot.node.placed.logFile}`);
      Object.assign(slot, { pid, paused: false, ending: false });
    });
  }

  kill(node: string): Promise<void> {
    const slot = this.slots.get(node);
    // Cut a graceful stop short: it is waiting for this process to exit.
    if (slot.ending && slot.pid !== undefined) void slot.node.conn.exec(`kill -KILL ${slot.pid} 2>/dev/null`).catch(() => undefined);
    return this.slots.enqueue(node, (s) => this.end(s, 'KILL', 0));
  }

  stop(node: string): Promise<void> {
    return this.slots.enqueue(node, (slot) => this.end(slot, 'TERM', STOP_GRACE_MS));
  }

  pause(node: string): Promise<void> {
    return this.signal(node, 'STOP', false);
  }

  resume(node: string): Promise<void> {
    return this.signal(node, 'CONT', true);
  }

  setClockOffset(node: string, offsetMs: number): Promise<void> {
    const slot = this.slots.get(node);
    const text = this.opts.system.clock === 'faketime' ? faketimeOffset(offsetMs) : `${Math.round(offsetMs)}\n`;
    const write = slot.clock.then(async () => writeFileAtomic(await slot.node.conn.sftp(), slot.node.placed.plan.clockFile, text));
    slot.clock = write.catch(() => undefined);
    return write;
  }

  async primary(signal: AbortSignal): Promise<string | undefined> {
    return this.opts.system.primary?.(this, signal);
  }

  logFiles(node: string): string[] {
    return [this.slots.get(node).node.placed.logFile];
  }

  /** Kill every node, starting none any more, and copy the rest of every log. */
  async teardown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.nodes.map((node) => this.kill(node)));
    clearInterval(this.poller);
    await this.polling;
    await this.pollAll();
  }

  private signal(node: string, signal: 'STOP' | 'CONT', paused: boolean): Promise<void> {
    return this.slots.enqueue(node, async (slot) => {
      if (slot.pid === undefined || slot.ending || slot.paused === !paused) return;
      await slot.node.conn.run(`kill -${signal} ${slot.pid}`, `${signal === 'STOP' ? 'pausing' : 'resuming'} node ${node}`);
      slot.paused = !paused;
    });
  }

  private async end(slot: Slot, signal: 'TERM' | 'KILL', graceMs: number): Promise<void> {
    const pid = slot.pid;
    if (pid === undefined) return;
    slot.ending = true;
    await slot.node.conn.run(endScript(pid, signal, graceMs), `stopping node ${slot.node.placed.plan.id}`, { timeoutMs: graceMs + 30_000 });
    if (slot.pid === pid) slot.pid = undefined;
    slot.ending = false;
    slot.paused = false;
  }

  /** Copy new log output of every node, and notice nodes that ended by themselves. */
  private async pollAll(): Promise<void> {
    await Promise.all(this.slots.all().map((slot) => this.poll(slot)));
  }

  private async poll(slot: Slot): Promise<void> {
    const { node } = slot;
    const f = files(node.runDir);
    try {
      const sftp = await node.conn.sftp();
      slot.logOffset = await appendNew(sftp, f.log, slot.logOffset, (chunk) => appendFileSync(node.placed.logFile, chunk));
      const pid = slot.pid;
      if (pid === undefined || slot.ending) return;
      const [exited, status] = ((await readSmallFile(sftp, f.exit)) ?? '').trim().split(' ').map(Number);
      if (exited !== pid || slot.pid !== pid || slot.ending) return;
      slot.pid = undefined;
      this.opts.onCrash(node.placed.plan.id, howEnded(status ?? 0));
    } catch (err) {
      if (!this.closed) this.opts.warn(`node ${node.placed.plan.id}: cannot read its files on its host: ${(err as Error).message}`);
    }
  }
}
