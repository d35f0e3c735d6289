/**
 * Why: this kernel has no `tc netem`, so in `--net netns` mode latency and jitter come from
 * faultline's own fault proxy. This is the program that runs it: one process per node, started
 * inside that node's namespace (see proxy-control.ts), with one {@link LinkProxy} per peer that
 * listens on 127.0.0.1 there and forwards to the peer's lab address. The forwarded connection
 * therefore still leaves from the node's own address, so partitions at the bridge, iptables
 * loss and htb bandwidth keep acting on it unchanged; only the delay is added here. The harness
 * shapes links over a unix-domain socket (filesystem sockets work across network namespaces)
 * with newline-delimited JSON; the process exits when its IPC channel to the harness closes.
 * The SSH backend runs the same program on each remote host over an SSH channel instead: with no
 * `socket` in its config it takes requests on stdin, answers on stdout, and exits when stdin
 * closes (the channel, or the harness, is gone).
 *
 * Usage (by faultline only): node proxy-daemon.js '<ProxyDaemonConfig as JSON>'
 */
import { rmSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { LinkShape } from '../../api/net.js';
import { Rng } from '../../gen/rng.js';
import { LinkProxy } from '../proxy/link-proxy.js';
import type { ProxyDaemonConfig, ProxyReply, ProxyRequest, ShapeField } from './proxy-control.js';

/** Lines longer than this on the control socket are refused (a request is a few hundred bytes). */
const MAX_LINE = 64 * 1024;

/** Start the per-peer listeners and the control socket, then say `ready` over IPC. */
async function main(config: ProxyDaemonConfig): Promise<void> {
  const { socket } = config;
  const exit = (): void => {
    if (socket !== undefined) rmSync(socket, { force: true });
    process.exit(0);
  };
  // From the start, so a harness that dies while this starts up still takes it along.
  if (socket === undefined) process.stdin.once('end', exit).once('error', exit).resume();
  else process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  const links = new Map<string, LinkProxy>();
  for (const [peer, { port, target }] of Object.entries(config.peers)) {
    links.set(peer, await LinkProxy.listen({ target, port, rng: Rng.derive(config.seed, `${config.node}->${peer}`) }));
  }
  const keep = config.keep ?? DELAY_ONLY;
  if (socket === undefined) {
    serve(process.stdin, (line) => process.stdout.write(line), exit, links, keep);
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    return;
  }
  rmSync(socket, { force: true });
  const control = net.createServer((conn: Socket) => serve(conn, (line) => conn.write(line), () => conn.destroy(), links, keep));
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(socket, () => resolve());
  });
  process.send?.({ ready: true });
}

/** Answer each request line read from `input` with one reply line. */
function serve(input: Readable, write: (line: string) => void, abuse: () => void, links: ReadonlyMap<string, LinkProxy>, keep: readonly ShapeField[]): void {
  let buffered = '';
  input.setEncoding('utf8');
  input.on('error', () => undefined);
  input.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE) return abuse();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      write(`${JSON.stringify(handle(line, links, keep))}\n`);
    }
  });
}

/**
 * Apply one request. `shape` sets the delay of every link named in `shapes` and clears it on
 * the others, so each request states the whole latency layer of this node.
 */
function handle(line: string, links: ReadonlyMap<string, LinkProxy>, keep: readonly ShapeField[]): ProxyReply {
  let id: number | undefined;
  try {
    const req = JSON.parse(line) as ProxyRequest;
    id = req.id;
    if (req.op !== 'shape') throw new Error(`unknown op ${JSON.stringify(req.op)}`);
    for (const peer of Object.keys(req.shapes)) {
      if (!links.has(peer)) throw new Error(`no link to ${peer}`);
    }
    for (const [peer, link] of links) link.setShape(only(req.shapes[peer] ?? {}, keep));
    return { id, ok: true };
  } catch (err) {
    return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** By default only latency and jitter: loss and bandwidth are the kernel's job in netns mode. */
const DELAY_ONLY: readonly ShapeField[] = ['latencyMs', 'jitterMs'];

/** The fields of `shape` this proxy applies. */
function only(shape: LinkShape, keep: readonly ShapeField[]): LinkShape {
  return Object.fromEntries(keep.filter((k) => shape[k] !== undefined).map((k) => [k, shape[k]]));
}

const config = JSON.parse(process.argv[2] ?? '{}') as ProxyDaemonConfig;
if (config.socket !== undefined && !process.send) {
  process.stderr.write('proxy-daemon: run by faultline only (needs an IPC channel)\n');
  process.exit(2);
}
main(config).catch((err: unknown) => {
  process.stderr.write(`proxy-daemon: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
