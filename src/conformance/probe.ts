/**
 * The probe system: a bundled node program (./probe-node.ts) that any host backend can run, and the
 * harness side that talks to it. It is how a backend is shown to do what faultline needs (the
 * conformance checks in ./checks.ts): start, stop, kill and restart with data kept, pause, clock
 * skew, every partition shape and link shape, log collection. Not a system under test: it has no
 * clients for workloads and is not in the registry.
 */
import net from 'node:net';
import type { ClusterView, SystemDef } from '../api/cluster.js';
import { nodeProgram } from '../node/entry.js';
import { parseHostPort } from '../net/address.js';
import { MAX_LINE_BYTES, type PingReply, type ProbeRequest } from './protocol.js';

export type { ClockReply, PingReply, ProbeRequest, ReachReply } from './protocol.js';

/** Ask the probe node at `address` one thing; rejects on no answer within `timeoutMs`, a refused connection or an error reply. */
export function probeCall<T>(address: string, request: ProbeRequest, timeoutMs: number): Promise<T> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let got = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`probe at ${address}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('error', (err) => fail(err.message));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      got += chunk;
      if (got.length > MAX_LINE_BYTES) return fail('reply too long');
      const end = got.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      const reply = JSON.parse(got.slice(0, end)) as { ok: boolean; value?: unknown; error?: string };
      if (reply.ok) resolve(reply.value as T);
      else reject(new Error(`probe at ${address}: ${reply.error ?? 'failed'}`));
    });
  });
}

/** Whether the probe node at `address` answers a ping within `timeoutMs`. */
export async function answers(address: string, timeoutMs: number): Promise<PingReply | undefined> {
  return probeCall<PingReply>(address, { op: 'ping' }, timeoutMs).catch(() => undefined);
}

const POLL_MS = 50;
const PING_MS = 500;

/** The probe system's definition, for `HostBackend.setUp`. */
export const hostProbe: SystemDef = {
  name: 'host-probe',
  description: 'nodes that report what they can reach, for checking host backends',
  bugs: {},
  clients: {},
  launch: (plan) => nodeProgram(new URL('./probe-node.js', import.meta.url), ['--plan', JSON.stringify(plan)]),
  /** Ready once every node answers a ping. */
  async ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
    for (;;) {
      const pings = await Promise.all(cluster.nodes.map((n) => answers(cluster.clientAddresses[n] as string, PING_MS)));
      if (pings.every((p) => p !== undefined)) return;
      signal.throwIfAborted();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  },
};
