/**
 * Where Maelstrom's services (./services.ts) run: in the harness, one instance per run, shared
 * by every node's shim, as Maelstrom runs them beside its simulated network. A node killed,
 * paused or restarted loses nothing it stored there, and the services are reachable whatever
 * the nemesis does to the nodes' own links (Maelstrom's partitions cut nodes from each other,
 * not from its services).
 *
 * The host listens on a Unix socket (so it is reachable from a node's network namespace too),
 * one JSON message per line each way: a shim writes the message its node sent to a service, the
 * host writes back the service's reply message. The socket is made when the first node of a run
 * is launched; the server does not keep the harness alive and its socket file is removed when
 * the harness exits.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { serveLines } from '../../src/node/transport.js';
import { destinationKind, isMaelstromMessage, type MaelstromMessage, type ServiceName } from './protocol.js';
import { Services } from './services.js';

const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** The running hosts of this harness, by the run they serve. */
const hosts = new Map<string, { path: string; server: Server }>();

/** The reply message of `services` to `msg`, a message a node sent to a service; undefined when none is due. */
export function serviceReply(services: Services, msg: MaelstromMessage, nowMs: number): MaelstromMessage | undefined {
  if (destinationKind(msg.dest, []) !== 'service' || typeof msg.body.msg_id !== 'number') return undefined;
  return { src: msg.dest, dest: msg.src, body: services.handle(msg.dest as ServiceName, msg.src, msg.body, nowMs) };
}

/** The socket of the service host of `run` (any string naming the run), started on first use. */
export function serviceHost(run: string): string {
  const known = hosts.get(run);
  if (known) return known.path;
  const path = join(tmpdir(), `faultline-maelstrom-${process.pid}-${hosts.size + 1}.sock`);
  rmSync(path, { force: true });
  const services = new Services();
  const server = createServer((socket) =>
    serveLines(socket, MAX_LINE_BYTES, (lines) => {
      for (const line of lines) {
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        const reply = isMaelstromMessage(msg) ? serviceReply(services, msg, performance.now()) : undefined;
        if (reply) socket.write(`${JSON.stringify(reply)}\n`);
      }
    }),
  );
  server.on('error', (err) => process.stderr.write(`maelstrom services: ${err.message}\n`));
  server.listen(path);
  server.unref();
  if (hosts.size === 0) process.once('exit', closeServiceHosts);
  hosts.set(run, { path, server });
  return path;
}

/** Close every service host of this harness and remove its socket (at exit, and for tests that start hosts in a worker). */
export function closeServiceHosts(): void {
  for (const host of hosts.values()) {
    host.server.close();
    rmSync(host.path, { force: true });
  }
  hosts.clear();
}
