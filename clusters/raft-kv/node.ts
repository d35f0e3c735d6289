/**
 * The raft-kv node process: `node node.js --plan '<NodePlan JSON>'`.
 *
 * Wires the deterministic core (raft.ts) to the world: peer messages over the shared transport
 * (sending only on links it dials to `plan.peers`), a 10 ms tick, client requests on
 * `plan.clientListen`, and the disk. The pump drains the core's Ready batches one at a time:
 * make the batch durable (fsync), then send its messages and replies. Everything the core does
 * while an fsync is in flight lands in the next batch, which is the group commit.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { listen } from '../../src/net/listen.js';
import { Clock } from '../../src/node/clock.js';
import { createLogger, type Logger } from '../../src/node/logger.js';
import { parseAddress, parsePlanArgs, PlanError } from '../../src/node/plan.js';
import { MessageTrace } from '../../src/node/message-trace.js';
import { serveLines, Transport } from '../../src/node/transport.js';
import type { NodePlan } from '../../src/api/cluster.js';
import { makeConfig } from './config.js';
import { isRaftMessage } from './messages.js';
import { RaftDisk } from './persist.js';
import { parseRequest, type KvResult, type RequestId } from './protocol.js';
import { Raft, type RaftEnv, type Ready } from './raft.js';

const TICK_MS = 10;
const STATUS_EVERY_MS = 5000;

async function main(): Promise<void> {
  let plan: NodePlan;
  try {
    plan = parsePlanArgs();
  } catch (err) {
    if (err instanceof PlanError) {
      process.stderr.write(`raft-kv node: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const clock = new Clock(plan.clockFile);
  const logger = createLogger({ node: plan.id, clock });
  const readMode = plan.options['read-mode'] === undefined ? 'read-index' : String(plan.options['read-mode']);
  const config = makeConfig(plan.id, plan.nodes, { readMode, bugs: plan.bugs });
  logger.info('starting', { pid: process.pid, nodes: plan.nodes.join(','), readMode, bugs: plan.bugs.join(',') || 'none' });

  const { disk, persisted } = await RaftDisk.open(plan.dataDir, logger);
  const env: RaftEnv = {
    mono: () => performance.now(),
    wall: () => clock.now(),
    random: Math.random,
    log: (level, message, fields) => {
      if (level === 'debug' && message.startsWith('bug ')) logger.every(message, 1000, 'info', message, fields);
      else logger[level](message, fields);
    },
  };
  const raft = new Raft(config, env, persisted);
  const node = new NodeRuntime(raft, disk, logger);

  const trace = MessageTrace.forPlan(plan);
  const transport = await Transport.start({
    self: plan.id,
    listen: plan.peerListen,
    peers: plan.peers,
    logger,
    ...(trace && { trace }),
    onMessage: (msg) => {
      if (!isRaftMessage(msg)) {
        logger.every('bad-msg', 5000, 'warn', 'malformed raft message dropped');
        return;
      }
      raft.receive(msg);
      node.pump();
    },
  });
  node.transport = transport;
  const server = await node.listenClients(plan.clientListen);

  const ticker = setInterval(() => {
    raft.tick();
    node.pump();
  }, TICK_MS);
  const statusTimer = setInterval(() => node.logStatus(), STATUS_EVERY_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    clearInterval(ticker);
    clearInterval(statusTimer);
    server.close();
    void Promise.allSettled([transport.close(), disk.close()]).then(() => {
      trace?.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

interface ClientRef {
  socket: net.Socket;
  id: RequestId;
}

class NodeRuntime {
  transport: Transport | undefined;
  private pumping = false;
  private scheduled = false;
  private readonly clients = new Map<string, ClientRef>();
  private nextConn = 1;
  private lastLogged = '';

  constructor(
    private readonly raft: Raft,
    private readonly disk: RaftDisk,
    private readonly logger: Logger,
  ) {}

  /** Drain the core soon (coalesces many inputs into one batch). */
  pump(): void {
    if (this.scheduled || this.pumping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let rd = this.raft.ready(); rd; rd = this.raft.ready()) {
        if (rd.hardState || rd.log) await this.persist(rd);
        for (const { to, msg } of rd.messages) this.transport?.send(to, msg);
        for (const { rid, result } of rd.replies) this.answer(rid, result);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async persist(rd: Ready): Promise<void> {
    try {
      await this.disk.save(rd);
    } catch (err) {
      // Durability is gone; stop rather than acknowledge anything (fail-stop).
      this.logger.error('disk write failed; exiting', { error: (err as Error).message });
      process.exit(1);
    }
  }

  async listenClients(address: string): Promise<net.Server> {
    const { host, port } = parseAddress(address);
    const server = net.createServer((socket) => this.serveClient(socket));
    await listen(server, port, host);
    return server;
  }

  private serveClient(socket: net.Socket): void {
    const conn = this.nextConn++;
    serveLines(socket, 1024 * 1024, (lines) => {
      for (const line of lines) {
        const parsed = parseRequest(line);
        if (parsed.kind === 'status') {
          this.write(socket, { id: parsed.id, type: 'ok', value: this.raft.status() });
        } else if (parsed.kind === 'bad') {
          this.write(socket, { id: parsed.id, type: 'fail', error: 'bad-request', message: parsed.message });
        } else {
          const rid = `${conn}:${String(parsed.id)}`;
          this.clients.set(rid, { socket, id: parsed.id });
          this.raft.request(rid, parsed.req);
        }
      }
      this.pump();
    });
  }

  private answer(rid: string, result: KvResult): void {
    const ref = this.clients.get(rid);
    if (!ref) return;
    this.clients.delete(rid);
    this.write(ref.socket, { id: ref.id, ...result });
  }

  private write(socket: net.Socket, body: object): void {
    if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(body) + '\n');
  }

  logStatus(): void {
    const s = this.raft.status();
    const line = `${s.role}/${s.term}/${s.leader}/${s.commitIndex}`;
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    this.logger.info('status', {
      role: s.role,
      term: s.term,
      leader: s.leader,
      commit: s.commitIndex,
      lastIndex: this.raft.log.lastIndex,
      fsyncs: this.disk.syncCount(),
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`raft-kv node failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
