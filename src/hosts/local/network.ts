/**
 * Why: on the embedded default, `--net` decides four things about a run's nodes: the addresses
 * they listen on, the addresses they and the clients dial, how their processes are launched, and
 * which `Net` the nemeses drive. Each mode answers all four in one object, so the local backend
 * (./index.ts) stays a single code path over both:
 * - `proxy` (./proxy-network.ts): free ports on 127.0.0.1, every link through the fault proxy;
 * - `netns` (../netns/network.ts): a namespace and address per node, partitions at a bridge.
 */
import type { CommandLaunch } from '../../api/cluster.js';
import type { HostRequest, HostSpec, Lacks } from '../../api/host.js';
import type { Net } from '../../api/net.js';

/** The network of one run's nodes, made by {@link LocalNetworkMode.start}. */
export interface LocalNetwork {
  /** What the nemeses drive. */
  readonly net: Net;
  /** host:port each node listens on for its peers. */
  readonly peerListen: Readonly<Record<string, string>>;
  /** host:port each node listens on for clients. */
  readonly clientListen: Readonly<Record<string, string>>;
  /** host:port a client dials to reach each node. */
  readonly clientAddresses: Readonly<Record<string, string>>;
  /** host:port node `from` dials to reach node `to`. */
  peerAddress(from: string, to: string): string;
  /** A node's command as this mode runs it (in netns mode: inside the node's namespace). */
  wrapLaunch(node: string, launch: CommandLaunch): CommandLaunch;
  /** The Net's snapshot for results.json. */
  describe(): unknown;
  /** Undo what `start` set up; called after the nodes are gone. */
  close(): Promise<void>;
}

/** One `--net` mode of the embedded default. */
export interface LocalNetworkMode {
  /** One line for `faultline list`. */
  readonly description: string;
  /** Refuse what this mode cannot run (node names it cannot use), before anything exists. */
  check(spec: HostSpec): void;
  /** What this mode cannot do on this machine. */
  lacks(): Promise<Lacks>;
  /** Addresses and the Net for `req.spec.nodes`; helper processes leave their sockets in `req.dirs.scratch`. */
  start(req: HostRequest): Promise<LocalNetwork>;
}
