/**
 * Why: some host backends put node addresses only inside a network namespace (`--net netns`, a
 * Docker daemon or SSH hosts in a lab namespace). The faultline process the user started lives in
 * the root network namespace, whose default route leads off the machine, so it must never dial
 * those addresses. For such a run (HostBackend.enclave.needed) it only manages the enclave: it
 * opens one (e.g. builds a lab), re-executes faultline inside the enclave's namespace (that child
 * runs the test itself: nodes, clients, faults, check, report), passes the first Ctrl-C / SIGTERM
 * on to the child and kills it on a second, and releases the enclave once the child has exited,
 * whatever happened. An IPC channel joins the two, so the child notices when this process dies
 * (even by kill -9), stops its run as on Ctrl-C, and then releases the enclave itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import chalk from 'chalk';
import type { Enclave, HostBackend, HostSpec } from '../api/host.js';
import { assertInNamespace, selfInNamespace } from '../net/netns/in-namespace.js';
import { UserError } from '../user-error.js';

/** Exit code after a second interrupt killed the child, as interrupt.ts's forced exit. */
const FORCED_EXIT = 130;
/** Exit code when there was no verdict (interrupted before the run, child killed from outside). */
const NO_VERDICT = 2;

/**
 * Set for a faultline process re-executed inside an enclave: `{"hosts": <backend>, "token": <token>}`.
 * The child rejoins the enclave from it ({@link joinEnclave}).
 */
export const ENCLAVE_ENV = 'FAULTLINE_ENCLAVE';

/** Options for {@link runInEnclave}. */
export interface EnclaveRunOptions {
  /** What the child runs (script and arguments); this process's own by default. */
  argv?: readonly string[];
}

/** Whether this process must re-execute itself in `backend`'s enclave to run `spec` (it needs one and is not in it). */
export function needsEnclave(spec: HostSpec, backend: HostBackend): boolean {
  return backend.enclave?.needed(spec) === true && enclaveMark() === undefined;
}

/**
 * Run this very command (same arguments) inside `backend`'s enclave for `spec`, from the root
 * namespace: open the enclave (the backend checks root and tools first), run faultline again
 * inside it, and release the enclave when that child exits. The caller has validated everything
 * else, so a bad spec makes nothing. Resolves with the exit code to exit with: the child's (0
 * valid, 1 invalid, 2 unknown or error), or 130 when a second interrupt had to kill it.
 * @throws UserError when the enclave cannot be opened (nothing is made then).
 */
export async function runInEnclave(backend: HostBackend, spec: HostSpec, opts: EnclaveRunOptions = {}): Promise<number> {
  if (!backend.enclave) throw new Error(`--hosts ${backend.name} has no enclave`);
  const relay = new SignalRelay();
  let enclave: Enclave | undefined;
  try {
    enclave = await backend.enclave.open(spec);
    note(enclave.summary);
    if (relay.received > 0) {
      note('interrupted before the run started');
      return NO_VERDICT;
    }
    const child = startChild(enclave, backend.name, opts.argv ?? process.argv.slice(1));
    relay.attach(child);
    return await exitCodeOf(child, relay);
  } finally {
    try {
      await enclave?.release();
    } finally {
      relay.dispose(); // Only now: an interrupt must not cut the enclave's release short.
    }
  }
}

/** `{ hosts, token }` from {@link ENCLAVE_ENV}, when this process was re-executed inside an enclave. */
function enclaveMark(env: NodeJS.ProcessEnv = process.env): { hosts: string; token: string } | undefined {
  const value = env[ENCLAVE_ENV];
  if (!value) return undefined;
  try {
    const mark = JSON.parse(value) as { hosts?: unknown; token?: unknown };
    if (typeof mark.hosts === 'string' && typeof mark.token === 'string') return { hosts: mark.hosts, token: mark.token };
  } catch {
    // Not ours: treated as absent.
  }
  return undefined;
}

/**
 * In a process re-executed inside `backend`'s enclave: the enclave, checked to hold this process
 * (its address is here, and there is no default route) before anything dials. `undefined` in
 * any other process.
 * @throws UserError when the enclave is gone; NotInNamespaceError when this process is not in it.
 */
export function joinEnclave(backend: HostBackend): Enclave | undefined {
  const mark = enclaveMark();
  if (!mark) return undefined;
  if (mark.hosts !== backend.name || !backend.enclave) throw new UserError(`this process was started in an enclave of --hosts ${mark.hosts}, not of ${backend.name}`);
  const enclave = backend.enclave.rejoin(mark.token);
  if (!enclave) throw new UserError(`--hosts ${backend.name}: enclave ${mark.token} is gone (removed while the run started?)`);
  assertInNamespace(enclave.address);
  return enclave;
}

/** The environment that tells a re-executed faultline which enclave it runs in. */
export function enclaveEnv(hosts: string, enclave: Enclave): Record<string, string> {
  return { [ENCLAVE_ENV]: JSON.stringify({ hosts, token: enclave.token }) };
}

/**
 * In the child re-executed by {@link runInEnclave}: a signal that aborts when the parent goes
 * away (its IPC channel closes), so the run heals, stops its nodes and reports as on Ctrl-C
 * instead of running on in an enclave nobody will release. Unreferences the channel, so it does
 * not keep the child alive after the run. `undefined` in any other process.
 */
export function parentGone(): AbortSignal | undefined {
  if (!enclaveMark() || !process.channel) return undefined;
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
 * {@link parentGone} aborted), release the enclave, which nobody else would.
 */
export async function releaseIfOrphaned(enclave: Enclave | undefined, orphaned: AbortSignal | undefined): Promise<void> {
  if (!orphaned?.aborted || !enclave) return;
  note(`releasing enclave ${enclave.token}, whose owner is gone`);
  await enclave.release();
}

function startChild(enclave: Enclave, hosts: string, argv: readonly string[]): ChildProcess {
  const launch = selfInNamespace(enclave.namespace, enclaveEnv(hosts, enclave), argv);
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
      if (!relay.forced) note(`the run in the enclave ended by ${signal ?? 'an unknown cause'}`);
      resolve(relay.forced ? FORCED_EXIT : NO_VERDICT);
    });
  });
}

/** SIGINT / SIGTERM while an enclave exists: the first goes to the child, a second kills it. */
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
      note(`forced exit on second ${sig}; releasing the enclave`);
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
