/**
 * A system under test, in two halves (Jepsen's DB + OS, split by who owns what):
 * - `SystemDef` is what a system's folder under `clusters/` exports: how to launch one node
 *   and which clients it has. It knows nothing about where nodes run.
 * - `Cluster` is the running cluster a host backend (src/api/host.ts) builds from it; nemeses
 *   drive it.
 */
import type { ClientFactory } from './client.js';
import type { Lacks } from './host.js';
import type { TestSpec } from './test-spec.js';

/**
 * All a node is told about itself: the JSON a bundled node parses (src/node/plan.ts), passed
 * with `--plan`. Every address and path is as the NODE sees it, which is the host backend's
 * business: on the embedded default the data directory is a local directory, in a container it
 * is a path inside the container, on a remote host a path on that host. What only the harness
 * needs (where clients dial the node, where its log is collected) is not here: see
 * `PlacedNode` in src/api/host.ts.
 */
export interface NodePlan {
  id: string;
  /** Position of the node in the cluster, from 0. */
  index: number;
  /** Every node id, in order. */
  nodes: readonly string[];
  /** A directory the node keeps across restarts, kill -9 included (its disk). */
  dataDir: string;
  /**
   * A directory for files the node writes for the harness to read after the run, such as its
   * message trace (src/node/message-trace.ts). The host backend chooses it and brings what is
   * there into the run directory (on the embedded default it is the run's `nodes/` directory
   * itself). Absent: the node records nothing of the kind.
   */
  logDir?: string;
  /** host:port this node listens on for its peers. */
  peerListen: string;
  /** host:port this node listens on for clients. */
  clientListen: string;
  /** How this node dials each peer (through the fault proxy on the embedded default). */
  peers: Readonly<Record<string, string>>;
  /**
   * host:port every peer dials to reach this node, when that is one address for all of them
   * (`--net netns`: each node on its own address); absent when each dialer has an address of its
   * own (the fault proxy gives every ordered pair its own link). Systems that identify members by
   * their peer URLs, such as etcd, need it.
   */
  peerAdvertise?: string;
  /** A file whose content sets this node's clock offset (see src/node/clock.ts). */
  clockFile: string;
  /** Known bugs switched on with `--bug`. */
  bugs: readonly string[];
  /** System options from the command line (`--read-mode lease`, ...). */
  options: Readonly<Record<string, unknown>>;
}

/**
 * How to run one node, independent of where it runs: a host backend maps it to a process on its
 * host (see HostBackend in src/api/host.ts for how each kind is mapped).
 */
export type NodeLaunch = BundledLaunch | CommandLaunch;

/**
 * A node program that ships with faultline (a bundled system's `node.ts`): `script` is its path
 * in faultline's compiled tree, relative to that tree's root, e.g. `clusters/raft-kv/node.js`.
 * The backend runs it with its own Node.js from its own copy of the tree (the local sources or
 * `dist/` here, `dist/` copied into an image or uploaded to a remote host elsewhere). Made by
 * `nodeProgram()` (src/node/entry.ts).
 */
export interface BundledLaunch {
  script: string;
  args: string[];
  env?: Record<string, string>;
}

/**
 * Any other program (a third-party server such as etcd): `command` is looked up on the host the
 * node runs on (the PATH of this machine, of the image, of the remote host).
 */
export interface CommandLaunch {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** A system option the CLI accepts and `faultline list` shows. */
export interface SystemOption {
  describe: string;
  choices?: readonly string[];
  default: string;
  /** An on/off switch: `--name` alone turns it on; the node sees `'true'` or `'false'`. */
  flag?: boolean;
}

/**
 * A known bug of a system, with how to expose it: what goes wrong, and the nemeses meant to show
 * it (`faultline matrix` runs the bug under them; `faultline list` shows them).
 */
export interface KnownBug {
  /** What goes wrong, in a sentence or two. */
  describe: string;
  /** The nemeses that expose it, run together (`['partition']`, `['kill', 'partition']`); `[]` for none. */
  nemeses: readonly string[];
  /** The workload that shows it, when not the system's first (the first key of `clients`). */
  workload?: string;
}

export interface SystemDef {
  readonly name: string;
  readonly description: string;
  /**
   * Known bugs, switched on with `--bug`: name → a {@link KnownBug}, or only what goes wrong as a
   * string (a bug that declares no nemesis; `faultline matrix` runs it under `partition`).
   */
  readonly bugs: Readonly<Record<string, string | KnownBug>>;
  readonly options?: Readonly<Record<string, SystemOption>>;
  /**
   * How a node's clock is skewed: `module` (the default) for nodes that read time through the
   * bundled clock module (src/node/clock.ts), which reads the node's clock file; `faketime` for
   * third-party programs, started under libfaketime reading the same file (dynamically linked
   * programs only; Go binaries ignore it).
   */
  readonly clock?: 'module' | 'faketime';
  /**
   * What nemeses may not ask of this system, each with why: `{ clock: 'etcd is a Go binary, which
   * ignores libfaketime' }` refuses `--nemesis clock` before the run. (`primary` is lacking
   * whenever `primary()` is.)
   */
  readonly lacks?: Lacks;
  /**
   * Refuse a test this system cannot run (a network mode it cannot work on, a binary that is not
   * installed) by throwing an Error whose message is one line saying what to do. Called before
   * anything starts.
   */
  check?(spec: TestSpec): void;
  /** Clients by workload name; a workload the system lacks is refused before the run. */
  readonly clients: Readonly<Record<string, ClientFactory>>;
  launch(plan: NodePlan): NodeLaunch;
  /** Resolves once the cluster serves requests (e.g. a leader exists). */
  ready?(cluster: ClusterView, signal: AbortSignal): Promise<void>;
  /** The node that currently leads, when the system can tell. */
  primary?(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined>;
}

/** The addresses of a running cluster, as a system's hooks see them. */
export interface ClusterView {
  readonly nodes: readonly string[];
  /** host:port a client dials to reach each node. */
  readonly clientAddresses: Readonly<Record<string, string>>;
}

/** A running cluster: what nemeses and the runner act on. */
export interface Cluster extends ClusterView {
  /**
   * Start a stopped or killed node with its data directory intact; a no-op when it runs. Every
   * operation on one node takes effect in the order it was called: a start during a stop's
   * grace period starts the node again once the stop is done, and two overlapping starts start
   * one process.
   */
  start(node: string): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(node: string): Promise<void>;
  /** kill -9; also cuts short a graceful stop in progress. */
  kill(node: string): Promise<void>;
  /** SIGSTOP / SIGCONT (or the backend's equivalent: a frozen container). */
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
  /** Whether the node is up: started and not stopped, killed, being stopped or crashed. */
  isRunning(node: string): boolean;
  /** Shift a node's clock by `offsetMs` from true time (0 resets it), as the node's clock module or libfaketime reads it. */
  setClockOffset(node: string, offsetMs: number): Promise<void>;
  primary(signal: AbortSignal): Promise<string | undefined>;
  /** Where the node's log is collected on the harness's machine (`results/<run>/nodes/<node>.log`). */
  logFiles(node: string): string[];
}
