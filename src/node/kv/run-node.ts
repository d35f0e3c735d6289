/**
 * The process around a bundled key-value node's protocol core. A core is deterministic and does
 * no I/O: it takes peer messages (`receive`), the passing of time (`tick`) and client requests
 * (`request`), and `ready()` hands out batches of what to make durable, then messages to send and
 * client replies. This file wires a core to the world: the shared transport for peers, the client
 * port (./server.ts), a 10 ms tick and the disk. The pump drains batches one at a time: make the
 * batch durable (fsync), then send its messages and replies, so nothing is acknowledged before it
 * is on disk. Everything the core does while an fsync is in flight lands in the next batch, which
 * is the group commit. Tests drive the same cores with a simulated network and virtual time.
 */
import { performance } from 'node:perf_hooks';
import type { NodePlan } from '../../api/cluster.js';
import { Clock } from '../clock.js';
import { createLogger, type Logger } from '../logger.js';
import { parsePlanArgs, PlanError } from '../plan.js';
import { startPeerTransport } from '../peer-transport.js';
import type { Transport } from '../transport.js';
import type { KvRequest, KvResult, NodeStatus, ParsedRequest } from './protocol.js';
import { KvServer } from './server.js';

const TICK_MS = 10;
const STATUS_EVERY_MS = 5000;

/** What a core may know of the world. */
export interface CoreEnv {
  /** Monotonic milliseconds, for timers. */
  mono(): number;
  /** This node's wall clock (Clock.now(), skewable). */
  wall(): number;
  /** Uniform in [0, 1). */
  random(): number;
  log(level: 'debug' | 'info' | 'warn', message: string, fields?: Record<string, unknown>): void;
}

/** One batch of a core's output: `messages` and `replies` go out once its state is durable. */
export interface CoreBatch {
  messages: readonly { to: string; msg: object }[];
  replies: readonly { rid: string; result: KvResult }[];
}

export interface NodeCore<M, B extends CoreBatch, R = KvRequest> {
  receive(msg: M): void;
  tick(): void;
  request(rid: string, req: R): void;
  /** The next batch; undefined when there is nothing to persist, send or answer. */
  ready(): B | undefined;
  status(): NodeStatus;
}

/** A node as its system builds it from the plan. */
export interface NodeParts<M, B extends CoreBatch, R = KvRequest> {
  core: NodeCore<M, B, R>;
  /** Reads the client requests of a system whose requests are not the key-value ones. */
  parseRequest?: (line: string) => ParsedRequest<R>;
  /** A shape check for peer messages read off the network. */
  isMessage(x: unknown): x is M;
  /** Make a batch's state durable; undefined when it has none. */
  save(batch: B): Promise<void> | undefined;
  /** Extra fields for the status line logged when the role, term, leader or commit changes. */
  statusFields(): Record<string, unknown>;
  close(): Promise<void>;
}

export type NodeSetup<M, B extends CoreBatch, R = KvRequest> = (plan: NodePlan, clock: Clock, logger: Logger) => Promise<NodeParts<M, B, R>>;

/** The environment of a core in a real process: performance.now(), the node's clock, its logger. */
export function processEnv(clock: Clock, logger: Logger): CoreEnv {
  return {
    mono: () => performance.now(),
    wall: () => clock.now(),
    random: Math.random,
    log: (level, message, fields) => {
      // Bug paths can be hot: say each one at most once a second.
      if (level === 'debug' && message.startsWith('bug ')) logger.every(message, 1000, 'info', message, fields);
      else logger[level](message, fields);
    },
  };
}

/** Run a node process: `node node.js --plan '<NodePlan JSON>'`. */
export function runNode<M, B extends CoreBatch, R = KvRequest>(system: string, setup: NodeSetup<M, B, R>): void {
  main(system, setup).catch((err: unknown) => {
    process.stderr.write(`${system} node failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

async function main<M, B extends CoreBatch, R>(system: string, setup: NodeSetup<M, B, R>): Promise<void> {
  let plan: NodePlan;
  try {
    plan = parsePlanArgs();
  } catch (err) {
    if (err instanceof PlanError) {
      process.stderr.write(`${system} node: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const clock = new Clock(plan.clockFile);
  const logger = createLogger({ node: plan.id, clock });
  const parts = await setup(plan, clock, logger);
  const pump = new Pump(parts, logger);
  const transport = await startPeerTransport(plan, logger, system, parts.isMessage, (msg) => {
    parts.core.receive(msg);
    pump.run();
  });
  pump.transport = transport;
  const handler = {
    status: () => parts.core.status(),
    request: (rid: string, req: R) => parts.core.request(rid, req),
    afterBatch: () => pump.run(),
  };
  pump.server = await KvServer.listen<R>(plan.clientListen, handler, parts.parseRequest);
  const ticker = setInterval(() => {
    parts.core.tick();
    pump.run();
  }, TICK_MS);
  const statusTimer = setInterval(() => pump.logStatus(), STATUS_EVERY_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    clearInterval(ticker);
    clearInterval(statusTimer);
    pump.server?.close();
    void Promise.allSettled([transport.close(), parts.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** Drains a core's batches: durable first, then out. */
class Pump<M, B extends CoreBatch, R> {
  transport: Transport | undefined;
  server: KvServer<R> | undefined;
  private pumping = false;
  private scheduled = false;
  private lastLogged = '';

  constructor(
    private readonly parts: NodeParts<M, B, R>,
    private readonly logger: Logger,
  ) {}

  /** Drain the core soon (coalesces many inputs into one batch). */
  run(): void {
    if (this.scheduled || this.pumping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  logStatus(): void {
    const s = this.parts.core.status();
    const line = `${s.role}/${s.term}/${s.leader}/${s.commitIndex}`;
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    this.logger.info('status', { role: s.role, term: s.term, leader: s.leader, commit: s.commitIndex, ...this.parts.statusFields() });
  }

  private async drain(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let batch = this.parts.core.ready(); batch; batch = this.parts.core.ready()) {
        const saving = this.parts.save(batch);
        if (saving) await this.persist(saving);
        for (const { to, msg } of batch.messages) this.transport?.send(to, msg);
        for (const { rid, result } of batch.replies) this.server?.answer(rid, result);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async persist(saving: Promise<void>): Promise<void> {
    try {
      await saving;
    } catch (err) {
      // Durability is gone; stop rather than acknowledge anything (fail-stop).
      this.logger.error('disk write failed; exiting', { error: (err as Error).message });
      process.exit(1);
    }
  }
}
