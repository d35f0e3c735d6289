/**
 * Why: this kernel has no `tc netem`, so in `--net netns` mode latency and jitter come from
 * faultline's own fault proxy. This is the program that runs it: one process per node, started
 * inside that node's namespace (see proxy-control.ts), with one {@link LinkProxy} per peer that
 * listens on 127.0.0.1 there and forwards to the peer's lab address. The forwarded connection
 * therefore still leaves from the node's own address, so partitions at the bridge, iptables
 * loss and htb bandwidth keep acting on it unchanged; only the delay is added here. The harness
 * shapes links over a unix-domain socket (filesystem sockets work across network namespaces)
 * with newline-delimited JSON; the process exits when its IPC channel to the harness closes.
 *
 * Usage (by faultline only): node proxy-daemon.js '<ProxyDaemonConfig as JSON>'
 */
import { rmSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import type { LinkShape } from '../../api/net.js';
import { Rng } from '../../gen/rng.js';
import { LinkProxy } from '../proxy/link-proxy.js';
import type { ProxyDaemonConfig, ProxyReply, ProxyRequest } from './proxy-control.js';

/** Lines longer than this on the control socket are refused (a request is a few hundred bytes). */
const MAX_LINE = 64 * 1024;

/** Start the per-peer listeners and the control socket, then say `ready` over IPC. */
async function main(config: ProxyDaemonConfig): Promise<void> {
  const exit = (): void => {
    rmSync(config.socket, { force: true });
    process.exit(0);
  };
  // From the start, so a harness that dies while this starts up still takes it along.
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  const links = new Map<string, LinkProxy>();
  for (const [peer, { port, target }] of Object.entries(config.peers)) {
    links.set(peer, await LinkProxy.listen({ target, port, rng: Rng.derive(config.seed, `${config.node}->${peer}`) }));
  }
  rmSync(config.socket, { force: true });
  const control = net.createServer((socket) => serve(socket, links));
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(config.socket, () => resolve());
  });
  process.send?.({ ready: true });
}

/** Answer each request line on `socket` with one reply line. */
function serve(socket: Socket, links: ReadonlyMap<string, LinkProxy>): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE) return socket.destroy();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      socket.write(`${JSON.stringify(handle(line, links))}\n`);
    }
  });
}

/**
 * Apply one request. `shape` sets the delay of every link named in `shapes` and clears it on
 * the others, so each request states the whole latency layer of this node.
 */
function handle(line: string, links: ReadonlyMap<string, LinkProxy>): ProxyReply {
  let id: number | undefined;
  try {
    const req = JSON.parse(line) as ProxyRequest;
    id = req.id;
    if (req.op !== 'shape') throw new Error(`unknown op ${JSON.stringify(req.op)}`);
    for (const peer of Object.keys(req.shapes)) {
      if (!links.has(peer)) throw new Error(`no link to ${peer}`);
    }
    for (const [peer, link] of links) link.setShape(delayOnly(req.shapes[peer] ?? {}));
    return { id, ok: true };
  } catch (err) {
    return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Only latency and jitter: loss and bandwidth are the kernel's job in netns mode. */
function delayOnly(shape: LinkShape): LinkShape {
  return {
    ...(shape.latencyMs !== undefined && { latencyMs: shape.latencyMs }),
    ...(shape.jitterMs !== undefined && { jitterMs: shape.jitterMs }),
  };
}

if (!process.send) {
  process.stderr.write('proxy-daemon: run by faultline only (needs an IPC channel)\n');
  process.exit(2);
}
main(JSON.parse(process.argv[2] ?? '{}') as ProxyDaemonConfig).catch((err: unknown) => {
  process.stderr.write(`proxy-daemon: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
