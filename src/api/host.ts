/**
 * Where nodes run: a host backend (Jepsen's remote + os + net, as one seam). A backend turns a
 * system definition and a list of node names into a running `Cluster` plus the `Net` that cuts
 * and shapes its links, and tears all of it down again. The runner, the CLI and every nemesis
 * see only this interface; `src/registry.ts` maps `--hosts <name>` to a backend.
 *
 * The embedded default, `local` (src/hosts/local/), runs node processes on this machine with
 * two network modes: `--net proxy` (the fault proxy on 127.0.0.1) and `--net netns` (a network
 * namespace per node, src/hosts/netns/). Containers and remote hosts over SSH fit the same shape.
 * Every backend passes the same conformance checks (src/conformance/, `faultline check-hosts`;
 * one line in test/hosts/conformance.spec.ts runs them in CI).
 *
 * How a backend runs a node (`SystemDef.launch` returns a `NodeLaunch`):
 * - a `BundledLaunch` names a script of faultline's compiled tree (`clusters/raft-kv/node.js`)
 *   and its arguments: the backend runs it with the Node.js of the host the node runs on, from
 *   that host's copy of the tree. `local` runs `<package>/<script>` (the `.ts` through tsx from a
 *   source checkout, else `<package>/dist/<script>`); a container backend runs
 *   `node /<where the image holds dist>/<script>`; an SSH backend uploads `dist/` and runs
 *   `node <remote dir>/dist/<script>`. `COMPILED_ROOT` in src/node/entry.ts is the tree to copy.
 * - a `CommandLaunch` names a program the host has on its PATH (an etcd binary in the image or on
 *   the remote host), run as is.
 * Either way the backend adds `env`, and whatever it needs around the process (a tether, a
 * namespace, libfaketime for `clock: 'faketime'` systems).
 *
 * What a backend owns, because its meaning depends on where the node runs:
 * - the node's plan (`NodePlan`): addresses it listens on and dials its peers at, its data
 *   directory and clock file, all as paths and addresses the node sees;
 * - the data directory, which survives stop, kill -9 and start;
 * - the clock file, which `Cluster.setClockOffset` rewrites wherever it lives;
 * - the node's output, collected into `HostRequest.dirs.logFile(node)` as the node runs and
 *   completed by `Hosts.tearDown`;
 * - every address a client dials (`Cluster.clientAddresses`), valid where the harness side runs.
 */
import type { Cluster, NodePlan, SystemDef } from './cluster.js';
import type { Requirement } from './nemesis.js';
import type { Net } from './net.js';
import type { TestSpec } from './test-spec.js';

/** The part of a test a host backend reads. */
export type HostSpec = Pick<TestSpec, 'nodes' | 'net' | 'hostOptions' | 'seed' | 'bugs' | 'clusterOptions'>;

/** A backend option the CLI accepts (`--hosts-file <file>`); its value lands in `TestSpec.hostOptions`. */
export interface HostOption {
  describe: string;
  choices?: readonly string[];
  /** Also accepted by `faultline clean` (e.g. the hosts file an SSH cleaner must visit). */
  clean?: boolean;
}

/** Requirements a backend cannot meet here, each saying what to do instead (`'latency': 'tc netem, missing in this kernel; use --net proxy'`). */
export type Lacks = Readonly<Partial<Record<Requirement, string>>>;

/** One node as a backend placed it: what the node is told, and what only the harness knows. */
export interface PlacedNode {
  /** All the node sees (the `--plan` JSON of a bundled node). */
  readonly plan: NodePlan;
  /** host:port the harness's clients dial to reach the node, from where the harness side runs. */
  readonly clientAddress: string;
  /** Where the node's output is collected on the harness's machine. */
  readonly logFile: string;
}

export interface HostBackend {
  /** `--hosts <name>`. */
  readonly name: string;
  /** One line for `faultline list`. */
  readonly description: string;
  /** `--net` modes, by name, each with a line for `faultline list`; the first is the default. */
  readonly nets: Readonly<Record<string, string>>;
  /** Options of this backend, by option name (`hosts-file`), offered by `faultline test` and `check-hosts`, shown by `list`. */
  readonly options?: Readonly<Record<string, HostOption>>;
  /** Node names this backend's inventory names (e.g. a hosts file), used when `--nodes` is not given. */
  inventory?(options: Readonly<Record<string, string>>): readonly string[] | undefined;
  /**
   * Refuse a spec this backend cannot run (a `--net` mode it lacks, node names it cannot use, a
   * missing option), before anything exists.
   * @throws UserError with one line saying what is wrong and what to do.
   */
  check(spec: HostSpec): void;
  /** Nemesis requirements it cannot meet on this machine for `system` (checked before the run). */
  lacks(spec: HostSpec, system: SystemDef): Promise<Lacks>;
  /**
   * Present when, for some specs, node addresses exist only inside a network namespace, so the
   * harness side of a run (clients, probes, nemesis control, SSH connections) must run there
   * too: from the root namespace, whose default route leaves the machine, it must never dial them.
   */
  readonly enclave?: EnclaveHook;
  /**
   * Make the hosts for one run: the network, every node's plan, data directory and clock file,
   * and a `Cluster` whose nodes are not started yet (the runner starts them and waits until the
   * system is ready). On failure it removes what it made before it throws.
   */
  setUp(req: HostRequest): Promise<Hosts>;
  /** What `faultline clean` runs for this backend, after a run was killed with -9. */
  readonly cleaners: readonly HostCleaner[];
  /** Stand-in infrastructure on this machine, for `faultline lab <name> up|down`. */
  readonly lab?: HostLab;
}

/** What `setUp` is given. */
export interface HostRequest {
  spec: HostSpec;
  system: SystemDef;
  dirs: {
    /** The run's results directory. */
    run: string;
    /** A scratch directory on the harness's machine, removed after the run (sockets, local data). */
    scratch: string;
    /** Where each node's log must end up: `<run>/nodes/<node>.log`. */
    logFile(node: string): string;
  };
  /** The enclave the harness side runs in, when `enclave.needed(spec)`. */
  enclave?: Enclave;
  /** Told when a node exits that nobody asked to stop, with how (`killed by SIGSEGV`, `exit code 1`). */
  onCrash(node: string, how: string): void;
  /** Aborted on Ctrl-C: give up setting up (and remove what was made). */
  signal: AbortSignal;
}

/** The hosts of one run, as `setUp` made them. */
export interface Hosts {
  readonly cluster: Cluster;
  readonly net: Net;
  /** For results.json: the network and hosts as they are now (addresses, mechanisms, counters). */
  describe(): unknown;
  /**
   * Stop every node, finish collecting logs, remove everything `setUp` made (processes,
   * containers, rules, sockets, remote files). Idempotent; the runner calls it once the run is
   * over, also after a failure or an interrupt, and before it removes the scratch directory.
   */
  tearDown(): Promise<void>;
}

/**
 * The harness side's network namespace. The process the user started (in the root namespace)
 * opens the enclave, re-executes faultline inside `namespace` with the token, passes the first
 * Ctrl-C on, and releases the enclave when that child exits (src/runner/enclave-run.ts). The
 * child rejoins the enclave from the token, checks it really is inside (it holds `address` and
 * has no default route) before its first connection, and hands it to `setUp`.
 */
export interface EnclaveHook {
  /** Whether runs of `spec` need the enclave (e.g. only `--net netns`); makes nothing. */
  needed(spec: HostSpec): boolean;
  /**
   * In the process the user started: make (or find) the enclave for `spec`, e.g. a lab of
   * namespaces. Removes leftovers of dead runs first where that is the backend's job.
   * @throws UserError when it cannot (not root, a tool missing), having made nothing.
   */
  open(spec: HostSpec): Promise<Enclave>;
  /** In the re-executed child: the same enclave, from its token; `undefined` when it is gone. */
  rejoin(token: string): Enclave | undefined;
}

export interface Enclave {
  /** The network namespace the harness side runs in: a name under /var/run/netns. */
  readonly namespace: string;
  /** An IPv4 address of that namespace. */
  readonly address: string;
  /** Names the enclave to the re-executed child and to `setUp` (e.g. a lab id). */
  readonly token: string;
  /** One line for the terminal: what was made or joined. */
  readonly summary: string;
  /**
   * Remove what `open` made (nothing, for an enclave the user owns, such as a Docker lab);
   * idempotent. Called by the parent when the child exits, and by the child when the parent died.
   */
  release(): Promise<void>;
}

/**
 * A lab: infrastructure a backend can build on this machine so it can be tried and tested without
 * real machines (a Docker daemon in a namespace of its own, SSH hosts in namespaces), made and
 * removed by `faultline lab <backend> up|down`. Runs against a lab usually need the backend's
 * enclave, since the lab's addresses live inside a namespace.
 */
export interface HostLab {
  /** One line for `faultline list` and `faultline lab --help`. */
  readonly description: string;
  /** Options of `faultline lab <backend> up|down`, by name (`hosts-file`). */
  readonly options?: Readonly<Record<string, HostOption>>;
  /**
   * Build the lab and wait until it is usable; resolves with lines to print (what to export or
   * pass to `faultline test`).
   * @throws UserError with one line when it cannot (not root, a tool missing).
   */
  up(options: Readonly<Record<string, string>>): Promise<string[]>;
  /** Remove all of it, leaving the machine as it was before `up`; idempotent. */
  down(options: Readonly<Record<string, string>>): Promise<string[]>;
}

/** What one cleaner did: a line per thing removed, and what it could not do. */
export interface CleanReport {
  removed: string[];
  problems: string[];
}

/**
 * Removes what runs killed with -9 left behind, and never anything of a run still going (its
 * harness process is alive).
 */
export interface HostCleaner {
  /** What it removes, e.g. `local processes`, `netns labs`. */
  readonly name: string;
  /** Machine-wide state (namespaces, daemons) rather than a run's own leftovers; `faultline clean --no-labs` skips it. */
  readonly lab?: boolean;
  /** Why it cannot run here (`needs root`), or `undefined`; a cleaner that cannot is skipped unless asked for. */
  unavailable(): string | undefined;
  clean(options: Readonly<Record<string, string>>): Promise<CleanReport>;
}
