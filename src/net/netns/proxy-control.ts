/**
 * Why: in `--net netns` mode latency and jitter cannot come from the kernel (no `tc netem`
 * here), so each node gets a fault-proxy process inside its own namespace (proxy-daemon.ts),
 * and its peers are dialled through it. This is the harness side: it starts those processes as
 * children of the harness (via nsenter, with an IPC channel, so they die with the run even when
 * the harness is killed with -9), tells nodes where to dial, and shapes links by sending each
 * process its links' delays over a unix-domain socket in the run's scratch directory, a tiny
 * newline-JSON protocol. Nothing here dials a lab address: the proxies do, from the node's
 * namespace, and the harness only talks to filesystem sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Link, LinkShape } from '../../api/net.js';
import { localProgram } from '../../hosts/local/programs.js';
import { launchInNamespace } from './in-namespace.js';

/** What proxy-daemon.ts is started with (as one JSON argument). */
export interface ProxyDaemonConfig {
  /** The node whose namespace the process runs in. */
  node: string;
  /** Run seed, for jitter. */
  seed: number;
  /** The control socket's path; without one, requests come on stdin and replies go to stdout. */
  socket?: string;
  /** Per peer: the port it listens on (127.0.0.1, inside the namespace) and where it forwards. */
  peers: Record<string, { port: number; target: string }>;
  /** The shape fields this proxy applies (latency and jitter when omitted). */
  keep?: ShapeField[];
}

/** A field of a link shape. */
export type ShapeField = keyof LinkShape;

/** A request on the control socket: set the delay of this node's links to each peer. */
export interface ProxyRequest {
  id: number;
  op: 'shape';
  /** Shape per peer; peers left out are unshaped. */
  shapes: Record<string, LinkShape>;
}

/** The one-line answer to a {@link ProxyRequest}. */
export interface ProxyReply {
  id: number | undefined;
  ok: boolean;
  error?: string;
}

/** Options for {@link NamespaceProxies.start}. */
export interface NamespaceProxiesOptions {
  /** Where each node's namespace is (a netns lab, or containers' `/proc/<pid>/ns/net`); `id` names it in messages. */
  lab: { id: string; nodes: Readonly<Record<string, { ns: string }>> };
  /** Node ids, in the run's order (which fixes the listen ports). */
  nodes: readonly string[];
  /** Where the control sockets go: the run's scratch directory. */
  dir: string;
  /** host:port each node listens on for its peers (a lab address). */
  peerTargets: Readonly<Record<string, string>>;
  seed: number;
  /** Extra environment for the processes (e.g. run markers for `faultline clean`). */
  env?: Readonly<Record<string, string>>;
}

/** Port a node's proxy listens on for the peer at `index`: 7100, 7101, ... in every namespace. */
export const PROXY_BASE_PORT = 7100;
/** How long a proxy process may take to start. */
const START_TIMEOUT_MS = 15_000;
/** How long one control request may take. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Unix socket paths longer than this do not fit in sockaddr_un on Linux. */
const MAX_SOCKET_PATH = 107;

/** The host:port node `from` dials to reach node `to` through its proxy (`nodes` in the run's order). */
export function proxyPeerAddress(nodes: readonly string[], from: string, to: string): string {
  const index = nodes.indexOf(to);
  if (index < 0 || from === to || !nodes.includes(from)) throw new Error(`no link ${from}->${to} in this network`);
  return `127.0.0.1:${PROXY_BASE_PORT + index}`;
}

/** The listeners of `node`'s proxy: one per peer, on the port {@link proxyPeerAddress} names, forwarding to the peer. */
export function proxyPeers(nodes: readonly string[], node: string, peerTargets: Readonly<Record<string, string>>): ProxyDaemonConfig['peers'] {
  const peers: ProxyDaemonConfig['peers'] = {};
  nodes.forEach((peer, index) => {
    const target = peerTargets[peer];
    if (peer !== node && target) peers[peer] = { port: PROXY_BASE_PORT + index, target };
  });
  return peers;
}

/** Each node's whole shape request: the shape of each of its outgoing links that is shaped (`{}` for a node with none). */
export function shapesByNode(nodes: readonly string[], shaped: readonly { link: Link; shape: LinkShape }[]): Map<string, Record<string, LinkShape>> {
  const perNode = new Map<string, Record<string, LinkShape>>(nodes.map((n) => [n, {}]));
  for (const { link, shape } of shaped) {
    const shapes = perNode.get(link.from);
    if (!shapes) throw new Error(`no link ${link.from}->${link.to} in this network`);
    shapes[link.to] = { ...shape };
  }
  return perNode;
}

/** One running proxy process. */
interface Daemon {
  child: ChildProcess;
  socket: string;
  gone: Promise<void>;
}

/** The per-node proxy processes of one netns run; {@link close} them when the nodes are gone. */
export class NamespaceProxies {
  /** For results.json: what delays links in netns mode. */
  readonly mechanism = 'fault proxy (LinkProxy) per node, inside its namespace, on 127.0.0.1 listeners';
  private nextId = 1;

  private constructor(
    private readonly nodes: readonly string[],
    private readonly daemons: ReadonlyMap<string, Daemon>,
  ) {}

  /**
   * Start one proxy process in each node's namespace and wait until all listen.
   * @throws when one fails to start (the others are stopped first).
   */
  static async start(opts: NamespaceProxiesOptions): Promise<NamespaceProxies> {
    const daemons = new Map<string, Daemon>();
    const proxies = new NamespaceProxies(opts.nodes, daemons);
    try {
      await Promise.all(opts.nodes.map(async (node) => daemons.set(node, await startDaemon(opts, node))));
    } catch (err) {
      // Those that did start are in the map; any still starting die with their IPC channel.
      await proxies.close();
      throw err;
    }
    return proxies;
  }

  /** host:port node `from` dials to reach node `to`: its proxy's listener, inside `from`'s namespace. */
  peerAddress(from: string, to: string): string {
    this.daemon(from);
    return proxyPeerAddress(this.nodes, from, to);
  }

  /**
   * Make the given delays the whole latency layer: each shaped link `a->b` is delayed by a's
   * proxy (both directions of the connections a dials to b); every other link is unshaped.
   * @throws Error on a link that is not node-to-node, or when a proxy refuses or does not answer.
   */
  async setDelays(shaped: readonly { link: Link; shape: LinkShape }[]): Promise<void> {
    for (const { link } of shaped) this.peerAddress(link.from, link.to);
    const sent = [...shapesByNode(this.nodes, shaped)].map(([node, shapes]) => this.request(node, { id: this.nextId++, op: 'shape', shapes }));
    const failed = (await Promise.allSettled(sent)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Stop every proxy process and remove its socket. Idempotent. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.daemons.values()].map(async ({ child, socket, gone }) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await gone;
        rmSync(socket, { force: true });
      }),
    );
  }

  private daemon(node: string): Daemon {
    const d = this.daemons.get(node);
    if (!d) throw new Error(`no fault proxy for node ${node}`);
    return d;
  }

  /** Send one request to `node`'s proxy and wait for its reply. */
  private request(node: string, req: ProxyRequest): Promise<void> {
    const { socket } = this.daemon(node);
    return new Promise((resolve, reject) => {
      const conn = net.connect(socket);
      let got = '';
      const fail = (why: string): void => {
        conn.destroy();
        reject(new Error(`fault proxy of ${node}: ${why}`));
      };
      conn.setTimeout(REQUEST_TIMEOUT_MS, () => fail('no answer'));
      conn.setEncoding('utf8');
      conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
      conn.on('error', (err) => fail(err.message));
      conn.on('data', (chunk: string) => {
        got += chunk;
        const newline = got.indexOf('\n');
        if (newline < 0) return;
        conn.end();
        const reply = JSON.parse(got.slice(0, newline)) as ProxyReply;
        if (reply.ok && reply.id === req.id) resolve();
        else fail(reply.error ?? `unexpected reply ${got.slice(0, newline)}`);
      });
    });
  }
}

/** Start `node`'s proxy process in its namespace; resolves once it listens. */
async function startDaemon(opts: NamespaceProxiesOptions, node: string): Promise<Daemon> {
  const host = opts.lab.nodes[node];
  if (!host) throw new Error(`lab ${opts.lab.id} has no node ${node}`);
  const socket = join(opts.dir, `proxy-${node}.sock`);
  if (socket.length > MAX_SOCKET_PATH) throw new Error(`socket path too long for a unix socket: ${socket} (set a shorter TMPDIR)`);
  const config: ProxyDaemonConfig = { node, seed: opts.seed, socket, peers: proxyPeers(opts.nodes, node, opts.peerTargets) };
  const program = localProgram(new URL('./proxy-daemon.js', import.meta.url), [JSON.stringify(config)]);
  const launch = launchInNamespace(program, host.ns);
  const child = spawn(launch.command, launch.args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...opts.env },
  });
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fault proxy of ${node} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('message', (msg: { ready?: boolean }) => {
      clearTimeout(timer);
      if (msg.ready) resolve();
      else reject(new Error(`fault proxy of ${node} said ${JSON.stringify(msg)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fault proxy of ${node} exited (${signal ?? `exit code ${code}`}) while starting`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return { child, socket, gone };
}
