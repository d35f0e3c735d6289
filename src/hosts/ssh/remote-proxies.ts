/**
 * The fault proxy on each SSH host: the same program as `--net netns` runs per namespace
 * (src/net/netns/proxy-daemon.ts), uploaded with the node code and run over an SSH channel of
 * its own, taking requests on stdin and answering on stdout. Its node dials each peer through
 * it (127.0.0.1 listeners on the host), so the forwarded connections still leave from the host's
 * address, where the firewall rules of partitions and loss act on them. It delays links (when
 * the hosts have no netem) and limits their bandwidth. It exits when its channel closes, so it
 * dies with the run, also when the harness is killed; when the SSH connection drops and comes
 * back, it is started again with the shapes in force.
 */
import type { ClientChannel } from 'ssh2';
import type { Link, LinkShape } from '../../api/net.js';
import type { DelayShaper } from '../../net/netns/netns-net.js';
import { proxyPeers, shapesByNode, type ProxyDaemonConfig, type ProxyReply, type ShapeField } from '../../net/netns/proxy-control.js';
import { shq, type SshConnection } from './connection.js';

/** The proxy program in the compiled tree. */
export const PROXY_SCRIPT = 'src/net/netns/proxy-daemon.js';
const START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface ProxyHost {
  node: string;
  conn: SshConnection;
  /** `node <tree>/src/net/netns/proxy-daemon.js` on the host. */
  command: string[];
}

interface Running {
  channel: ClientChannel;
  pending: Map<number, { resolve: () => void; reject: (err: Error) => void }>;
}

export class RemoteProxies implements DelayShaper {
  readonly mechanism: string;
  private readonly running = new Map<string, Promise<Running>>();
  private readonly shapes = new Map<string, Record<string, LinkShape>>();
  private readonly unlisten: (() => void)[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * @param keep the shape fields the proxies apply: bandwidth always, latency and jitter when
   *   the hosts have no netem.
   */
  constructor(
    private readonly hosts: readonly ProxyHost[],
    private readonly peerTargets: Readonly<Record<string, string>>,
    private readonly seed: number,
    private readonly keep: ShapeField[],
    private readonly warn: (text: string) => void,
  ) {
    this.mechanism = `fault proxy (LinkProxy) per host over SSH, on 127.0.0.1 listeners (${keep.join(', ')})`;
  }

  /** Start every host's proxy and wait until all listen. */
  async start(): Promise<void> {
    await Promise.all(this.hosts.map((h) => this.ensure(h)));
    for (const host of this.hosts) {
      this.unlisten.push(host.conn.onLost(() => this.restartSoon(host)));
    }
  }

  /** Make these the only shaped links (the fields this proxy applies; `[]` clears). */
  async setDelays(shaped: readonly { link: Link; shape: LinkShape }[]): Promise<void> {
    const byNode = shapesByNode(this.hosts.map((h) => h.node), shaped);
    const sent = this.hosts.map(async (host) => {
      const shapes = byNode.get(host.node) ?? {};
      this.shapes.set(host.node, shapes);
      await this.request(host, shapes);
    });
    const failed = (await Promise.allSettled(sent)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Stop every proxy (closing its channel ends it). */
  async close(): Promise<void> {
    this.closed = true;
    for (const off of this.unlisten) off();
    await Promise.all(
      [...this.running.values()].map(async (r) => {
        const running = await r.catch(() => undefined);
        running?.channel.close();
      }),
    );
  }

  private restartSoon(host: ProxyHost): void {
    this.running.delete(host.node);
    if (this.closed) return;
    this.warn(`lost the SSH connection to ${host.node}; starting its fault proxy again once it is back`);
    void this.ensure(host)
      .then(() => this.request(host, this.shapes.get(host.node) ?? {}))
      .catch((err: unknown) => this.warn(`the fault proxy of ${host.node} could not be started again: ${(err as Error).message}`));
  }

  private ensure(host: ProxyHost): Promise<Running> {
    let running = this.running.get(host.node);
    if (!running) {
      running = this.launch(host);
      this.running.set(host.node, running);
      running.catch(() => this.running.delete(host.node));
    }
    return running;
  }

  private async launch(host: ProxyHost): Promise<Running> {
    const nodes = this.hosts.map((h) => h.node);
    const config: ProxyDaemonConfig = { node: host.node, seed: this.seed, peers: proxyPeers(nodes, host.node, this.peerTargets), keep: this.keep };
    const channel = await host.conn.channel(`exec ${[...host.command, JSON.stringify(config)].map(shq).join(' ')}`);
    const running: Running = { channel, pending: new Map() };
    let buffered = '';
    let stderr = '';
    channel.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`the fault proxy of ${host.node} did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      channel.on('data', (b: Buffer) => {
        buffered += b.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          const msg = JSON.parse(line) as ProxyReply & { ready?: boolean };
          if (msg.ready) {
            clearTimeout(timer);
            resolve(running);
            continue;
          }
          const waiter = msg.id !== undefined ? running.pending.get(msg.id) : undefined;
          if (msg.id !== undefined) running.pending.delete(msg.id);
          if (msg.ok) waiter?.resolve();
          else waiter?.reject(new Error(`fault proxy of ${host.node}: ${msg.error ?? 'refused'}`));
        }
      });
      channel.on('close', () => {
        clearTimeout(timer);
        const why = new Error(`the fault proxy of ${host.node} exited${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
        reject(why);
        for (const waiter of running.pending.values()) waiter.reject(why);
        running.pending.clear();
      });
    });
  }

  private async request(host: ProxyHost, shapes: Record<string, LinkShape>): Promise<void> {
    const running = await this.ensure(host);
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        running.pending.delete(id);
        reject(new Error(`fault proxy of ${host.node}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      running.pending.set(id, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      running.channel.write(`${JSON.stringify({ id, op: 'shape', shapes })}\n`);
    });
  }
}
