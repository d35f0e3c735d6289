/**
 * The probe node: `node probe-node.js --plan '<NodePlan JSON>'`, a tiny bundled program for checking a
 * host backend (./checks.ts), not a system under test. It answers the harness on
 * its client port (./protocol.ts), says hello to its peers on request, dialling them exactly as
 * its plan says, and remembers who said hello to it, so a probe can prove which links carry
 * traffic. It counts its boots in its data directory and keeps one value there, to prove the
 * directory survives kill -9 and restart, and reads its clock through the bundled clock module.
 */
import { appendFileSync, fsyncSync, openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NodePlan } from '../api/cluster.js';
import { Clock } from '../node/clock.js';
import { createLogger, type Logger } from '../node/logger.js';
import { parseAddress, parsePlanArgs, PlanError } from '../node/plan.js';
import { serveLines } from '../node/transport.js';
import { MAX_LINE_BYTES, type Hello, type ProbeRequest, type ReachReply } from './protocol.js';

/** Tag → nodes that said hello with it. */
const heard = new Map<string, Set<string>>();

function listen(server: net.Server, address: string, plan: NodePlan): void {
  const { host, port } = parseAddress(address);
  server.once('error', (err) => {
    process.stderr.write(`probe node ${plan.id}: cannot listen on ${address}: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(port, host);
}

/** One request line, one reply line, on connections `server` accepts. */
function answerLines(server: net.Server, answer: (line: string) => Promise<unknown>): void {
  server.on('connection', (socket) => {
    serveLines(socket, MAX_LINE_BYTES, (lines) => {
      for (const line of lines) {
        answer(line).then(
          (reply) => socket.writable && socket.end(`${JSON.stringify({ ok: true, value: reply ?? null })}\n`),
          (err: unknown) => socket.writable && socket.end(`${JSON.stringify({ ok: false, error: String(err) })}\n`),
        );
      }
    });
  });
}

/** Say hello to `address` with `tag`; resolves with the round trip in ms, or undefined on no answer in time. */
function hello(plan: NodePlan, address: string, tag: string, timeoutMs: number): Promise<number | undefined> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect({ host, port });
    const done = (ms: number | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'hello', from: plan.id, tag } satisfies Hello)}\n`));
    socket.on('data', () => done(performance.now() - t0));
  });
}

async function reach(plan: NodePlan, req: Extract<ProbeRequest, { op: 'reach' }>): Promise<ReachReply> {
  const peers = req.peers ?? Object.keys(plan.peers);
  const out: ReachReply = {};
  await Promise.all(
    peers.map(async (peer) => {
      const address = plan.peers[peer];
      if (address === undefined) throw new Error(`no peer ${peer}`);
      const rtts = await Promise.all(Array.from({ length: req.count ?? 1 }, () => hello(plan, address, req.tag, req.timeoutMs)));
      const ok = rtts.filter((ms): ms is number => ms !== undefined);
      out[peer] = { delivered: ok.length, rttMs: ok.map((ms) => Math.round(ms * 10) / 10) };
    }),
  );
  return out;
}

async function handle(plan: NodePlan, clock: Clock, logger: Logger, boots: number, line: string): Promise<unknown> {
  const req = JSON.parse(line) as ProbeRequest;
  const dataFile = join(plan.dataDir, 'probe-data');
  switch (req.op) {
    case 'ping':
      return { id: plan.id, pid: process.pid, boots };
    case 'reach':
      return reach(plan, req);
    case 'heard':
      return [...(heard.get(req.tag) ?? [])].sort();
    case 'write': {
      const fd = openSync(dataFile, 'w');
      try {
        writeSync(fd, req.data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return null;
    }
    case 'read':
      try {
        return readFileSync(dataFile, 'utf8');
      } catch {
        return null;
      }
    case 'clock':
      return { now: clock.now(), offset: clock.offset() };
    case 'log':
      logger.info(req.text);
      return null;
    default:
      throw new Error(`unknown op ${JSON.stringify((req as { op?: unknown }).op)}`);
  }
}

function main(plan: NodePlan): void {
  const clock = new Clock(plan.clockFile);
  const logger = createLogger({ node: plan.id, clock });
  appendFileSync(join(plan.dataDir, 'boots'), `${process.pid}\n`);
  const boots = readFileSync(join(plan.dataDir, 'boots'), 'utf8').trim().split('\n').length;

  const peerServer = net.createServer();
  answerLines(peerServer, async (line) => {
    const msg = JSON.parse(line) as Hello;
    if (msg.op !== 'hello' || typeof msg.from !== 'string' || typeof msg.tag !== 'string') throw new Error('expected a hello');
    heard.set(msg.tag, (heard.get(msg.tag) ?? new Set()).add(msg.from));
    return { id: plan.id };
  });
  const clientServer = net.createServer();
  answerLines(clientServer, (line) => handle(plan, clock, logger, boots, line));
  listen(peerServer, plan.peerListen, plan);
  listen(clientServer, plan.clientListen, plan);
  logger.info('probe up', { boots, pid: process.pid, peers: plan.peerListen, clients: plan.clientListen, data: plan.dataDir });
  process.once('SIGTERM', () => {
    logger.info('probe stopping', { signal: 'SIGTERM' });
    process.exit(0);
  });
}

try {
  main(parsePlanArgs());
} catch (err) {
  process.stderr.write(`probe node: ${err instanceof PlanError ? err.message : String(err)}\n`);
  process.exit(2);
}
