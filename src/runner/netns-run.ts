/**
 * Why: in `--net netns` mode the faultline process the user started lives in the root network
 * namespace, whose default route leads off the machine, so it must never dial a lab address.
 * It therefore only manages the lab: it builds one, re-executes faultline inside the lab's
 * control namespace (that child runs the test itself: nodes, clients, faults, check, report),
 * passes the first Ctrl-C / SIGTERM on to the child and kills it on a second, and removes the
 * lab once the child has exited, whatever happened. An IPC channel joins the two, so the child
 * notices when this process dies (even by kill -9), stops its run as on Ctrl-C, and then removes
 * the lab itself (a lab left anyway is removed by the next `--net netns` run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import chalk from 'chalk';
import type { TestSpec } from '../api/test-spec.js';
import { findTool } from '../net/netns/exec.js';
import { controlFromEnv, selfInNamespace } from '../net/netns/in-namespace.js';
import { cleanupLeftoverLabs, createLab, destroyLab, ensureRoot, type Lab } from '../net/netns/lab.js';
import { UserError } from '../user-error.js';
import { nodeNames } from './node-names.js';
import { resolveTest } from './resolve.js';

/** Exit code after a second interrupt killed the child, as interrupt.ts's forced exit. */
const FORCED_EXIT = 130;
/** Exit code when there was no verdict (interrupted before the run, child killed from outside). */
const NO_VERDICT = 2;

/** Options for {@link runInLab}. */
export interface LabRunOptions {
  /** What the child runs (script and arguments); this process's own by default. */
  argv?: readonly string[];
}

/**
 * Run a `--net netns` test from the root namespace: check root and tools, validate `spec`,
 * remove the labs of dead runs, build a lab for the spec's nodes, run faultline again (same
 * arguments) inside the lab's control namespace, and destroy the lab when that child exits.
 * Resolves with the exit code to exit with: the child's (0 valid, 1 invalid, 2 unknown or
 * error), or 130 when a second interrupt had to kill it.
 * @throws UserError when not root, a tool is missing or the spec is bad (nothing is made then).
 */
export async function runInLab(spec: TestSpec, opts: LabRunOptions = {}): Promise<number> {
  ensureRoot();
  if (!findTool('nft')) throw new UserError('--net netns needs `nft`; install it with apt-get install nftables');
  resolveTest(spec); // Bad names, bugs or schedules fail here, before any namespace exists.
  const relay = new SignalRelay();
  let lab: Lab | undefined;
  try {
    await cleanupLeftoverLabs();
    lab = await createLab({ nodes: nodeNames(spec.nodes) });
    note(`netns lab ${lab.id}: nodes on ${lab.subnet}, harness in ${lab.control.ns} (${lab.control.address})`);
    if (relay.received > 0) {
      note('interrupted before the run started');
      return NO_VERDICT;
    }
    const child = startChild(lab, opts.argv ?? process.argv.slice(1));
    relay.attach(child);
    return await exitCodeOf(child, relay);
  } finally {
    try {
      if (lab) await destroyLab(lab.id);
    } finally {
      relay.dispose(); // Only now: an interrupt must not cut the lab's removal short.
    }
  }
}

/**
 * In the child re-executed by {@link runInLab}: a signal that aborts when the parent goes away
 * (its IPC channel closes), so the run heals, stops its nodes and reports as on Ctrl-C instead
 * of running on in a lab nobody will remove. Unreferences the channel, so it does not keep the
 * child alive after the run. `undefined` in any other process.
 */
export function parentGone(): AbortSignal | undefined {
  if (!controlFromEnv() || !process.channel) return undefined;
  process.channel.unref();
  const gone = new AbortController();
  process.once('disconnect', () => {
    note('the parent faultline process is gone; stopping the run');
    gone.abort(new Error('parent process gone'));
  });
  return gone.signal;
}

/**
 * In that child, once its run is over: when the parent died meanwhile (`orphaned` from
 * {@link parentGone} aborted), remove the lab, which nobody else would until the next run.
 */
export async function removeLabIfOrphaned(orphaned: AbortSignal | undefined): Promise<void> {
  const control = controlFromEnv();
  if (!orphaned?.aborted || !control) return;
  note(`removing lab ${control.labId}, whose owner is gone`);
  await destroyLab(control.labId);
}

function startChild(lab: Lab, argv: readonly string[]): ChildProcess {
  const launch = selfInNamespace(lab.control.ns, lab.id, lab.control.address, argv);
  return spawn(launch.command, launch.args, {
    // Own process group: a Ctrl-C at the terminal reaches this process only, which passes it on once.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...launch.env },
  });
}

function exitCodeOf(child: ChildProcess, relay: SignalRelay): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== null) return resolve(code);
      if (!relay.forced) note(`the run in the lab ended by ${signal ?? 'an unknown cause'}`);
      resolve(relay.forced ? FORCED_EXIT : NO_VERDICT);
    });
  });
}

/** SIGINT / SIGTERM while a lab exists: the first goes to the child, a second kills it. */
class SignalRelay {
  /** Interrupts received so far. */
  received = 0;
  /** Whether a second interrupt killed the child. */
  forced = false;
  private child: ChildProcess | undefined;

  private readonly handler = (sig: NodeJS.Signals): void => {
    this.received++;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (this.received === 1) {
      child.kill(sig);
    } else if (!this.forced) {
      note(`forced exit on second ${sig}; removing the lab`);
      this.forced = true;
      child.kill('SIGKILL');
    }
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** From now on, interrupts go to `child`. */
  attach(child: ChildProcess): void {
    this.child = child;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

function note(text: string): void {
  process.stderr.write(chalk.dim(`faultline: ${text}\n`));
}
