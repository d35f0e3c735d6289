/**
 * The cluster of `--hosts docker`: one container per node, acted on through the Docker API. Start
 * attaches to the container's output before starting it (so nothing it prints is missed; every
 * start attaches anew) and appends that output to the node's log file as it arrives; stop is
 * `docker stop` (SIGTERM, then SIGKILL after a grace period), kill is `docker kill`, pause and
 * resume freeze and thaw the container. A node's network namespace, address and rules belong to
 * its sandbox container (./fleet.ts), so they outlive kill and restart; its disk and clock file
 * are a directory of this machine bind-mounted into the container, so they outlive them too, and
 * clock skew rewrites the file here.
 *
 * Operations on one node take effect in the order they are called (each waits for the ones before
 * it), as on the embedded default: overlapping starts start one container, a start during a stop
 * starts it again after the stop; a kill cuts a graceful stop short.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { constants } from 'node:os';
import type Docker from 'dockerode';
import type { Cluster, SystemDef } from '../../api/cluster.js';
import type { PlacedNode } from '../../api/host.js';
import { writeClockFile } from '../local/faketime.js';
import { idempotent } from './daemon.js';
import { NodeSlots } from '../node-slots.js';

/** How long a graceful stop waits before SIGKILL, by default. */
const STOP_GRACE_S = 10;
/** How long teardown waits for a node's output to finish arriving. */
const DRAIN_MS = 5000;

interface Run {
  /** Resolves when the container has exited and its output is all in the log. */
  gone: Promise<void>;
  exited: boolean;
  paused: boolean;
  /** Set when the harness ends the node, so its exit is not a crash. */
  ending: boolean;
}

interface Slot {
  readonly placed: PlacedNode;
  readonly container: Docker.Container;
  /** Where the clock file is on this machine. */
  readonly clockFile: string;
  log?: WriteStream;
  run?: Run;
  queue: Promise<void>;
}

export interface DockerClusterOptions {
  docker: Docker;
  system: SystemDef;
  /** Every node with its container (created, not started) and its clock file on this machine. */
  nodes: readonly { placed: PlacedNode; container: string; clockFile: string }[];
  /** Checked once after a node's first start: that its process runs on this machine (`pid` as the host sees it). */
  verify: (node: string, pid: number) => Promise<void>;
  onCrash: (node: string, how: string) => void;
  stopGraceS?: number;
}

export class DockerCluster implements Cluster {
  readonly nodes: readonly string[];
  readonly clientAddresses: Readonly<Record<string, string>>;
  private readonly slots = new NodeSlots<Slot>();
  private closed = false;
  private verified = false;

  constructor(private readonly opts: DockerClusterOptions) {
    this.nodes = opts.nodes.map((n) => n.placed.plan.id);
    this.clientAddresses = Object.fromEntries(opts.nodes.map((n) => [n.placed.plan.id, n.placed.clientAddress]));
    for (const { placed, container, clockFile } of opts.nodes) {
      this.slots.add(placed.plan.id, { placed, container: opts.docker.getContainer(container), clockFile, queue: Promise.resolve() });
    }
  }

  isRunning(node: string): boolean {
    const run = this.slots.get(node).run;
    return run !== undefined && !run.ending;
  }

  start(node: string): Promise<void> {
    return this.slots.enqueue(node, async (slot) => {
      if (this.closed) throw new Error(`cannot start ${node}: the cluster is being torn down`);
      if (!slot.run) await this.launch(slot);
    });
  }

  stop(node: string): Promise<void> {
    return this.slots.enqueue(node, (slot) => this.end(slot, false));
  }

  kill(node: string): Promise<void> {
    const slot = this.slots.get(node);
    // Cut a graceful stop short: it is waiting for this container to exit.
    if (slot.run?.ending && !slot.run.exited) void idempotent(() => slot.container.kill());
    return this.slots.enqueue(node, (s) => this.end(s, true));
  }

  pause(node: string): Promise<void> {
    return this.slots.enqueue(node, async ({ run, container }) => {
      if (!run || run.ending || run.paused) return;
      await container.pause();
      run.paused = true;
    });
  }

  resume(node: string): Promise<void> {
    return this.slots.enqueue(node, async ({ run, container }) => {
      if (!run || run.ending || !run.paused) return;
      await container.unpause();
      run.paused = false;
    });
  }

  async setClockOffset(node: string, offsetMs: number): Promise<void> {
    writeClockFile(this.slots.get(node).clockFile, offsetMs, this.opts.system.clock);
  }

  async primary(signal: AbortSignal): Promise<string | undefined> {
    return this.opts.system.primary?.(this, signal);
  }

  logFiles(node: string): string[] {
    return [this.slots.get(node).placed.logFile];
  }

  /** Kill every node, starting none any more, and wait until their output is in the logs. */
  async teardown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.nodes.map((node) => this.kill(node)));
    await Promise.all(
      this.slots.all().map(async (slot) => {
        const log = slot.log;
        slot.log = undefined;
        if (log) await new Promise<void>((resolve) => log.end(() => resolve()));
      }),
    );
  }

  /** Attach to the container's output, start it, and watch for its exit. */
  private async launch(slot: Slot): Promise<void> {
    const node = slot.placed.plan.id;
    const { docker } = this.opts;
    slot.log ??= createWriteStream(slot.placed.logFile, { flags: 'a' });
    const log = slot.log;
    const stream = (await slot.container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadWriteStream & { destroy(): void };
    const drained = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    // One sink for both: the log keeps stdout and stderr interleaved as the node wrote them.
    const sink = { write: (chunk: Buffer) => log.write(chunk) } as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(stream, sink, sink);
    try {
      await slot.container.start();
    } catch (err) {
      stream.destroy();
      throw err;
    }
    const info = await slot.container.inspect();
    if (!this.verified) {
      await this.opts.verify(node, info.State.Pid);
      this.verified = true;
    }
    const run: Run = { gone: Promise.resolve(), exited: false, paused: false, ending: false };
    const exit = slot.container.wait({ condition: 'not-running' }).then(
      (result: { StatusCode?: number }) => result.StatusCode ?? -1,
      () => -1,
    );
    run.gone = exit.then(async (code) => {
      run.exited = true;
      // The last of the output arrives after the exit; wait for it, but not forever.
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      stream.destroy();
      if (!run.ending) this.opts.onCrash(node, describeExit(code));
      if (slot.run === run) slot.run = undefined;
    });
    slot.run = run;
  }

  private async end(slot: Slot, kill: boolean): Promise<void> {
    const run = slot.run;
    if (!run) return;
    run.ending = true;
    if (kill) {
      await idempotent(() => slot.container.kill());
      if (run.paused) await idempotent(() => slot.container.unpause());
    } else {
      // A frozen container cannot be stopped: thaw it first.
      if (run.paused) await idempotent(() => slot.container.unpause());
      await idempotent(() => slot.container.stop({ t: this.opts.stopGraceS ?? STOP_GRACE_S }));
    }
    await run.gone;
    if (slot.run === run) slot.run = undefined;
  }
}

/** `exit code 1`, or `killed by SIGSEGV` for 128 + a signal number, as the container's exit code says. */
function describeExit(code: number): string {
  const signal = code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined;
  return signal ? `killed by ${signal}` : code < 0 ? 'gone (the daemon lost it)' : `exit code ${code}`;
}

/**
 * Whether process `pid` of this machine carries `name=value` in its environment, waiting up to
 * `ms` for it: a container's first process may still be the runtime's init, about to exec it.
 */
export async function processHasEnv(pid: number, name: string, value: string, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${name}=${value}`)) return true;
    } catch {
      return false; // No such process here.
    }
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
