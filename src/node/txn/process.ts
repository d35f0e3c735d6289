/**
 * The process of a bundled transactional node (txn-2pc, txn-3pc): its protocol core on the
 * shared node runtime: peers over the shared transport, clients on the bundled nodes' line
 * protocol (./protocol.ts), a 10 ms tick, and one append-only log in the data directory
 * (src/node/json-disk.ts, fsync with group commit). Each batch the core hands out is written to
 * the log first; its messages and replies go out, in order, once it is durable.
 */
import { performance } from 'node:perf_hooks';
import type { NodePlan } from '../../api/cluster.js';
import { Clock } from '../clock.js';
import { JsonDisk } from '../json-disk.js';
import { KvServer } from '../kv/server.js';
import { createLogger } from '../logger.js';
import { parsePlanArgs } from '../plan.js';
import { startPeerTransport } from '../peer-transport.js';
import type { Transport } from '../transport.js';
import type { Batch } from './outbox.js';
import { parseTxnRequest, type TxnRequest } from './protocol.js';

/** A node's protocol core: deterministic, no I/O; its batches are what the process carries out. */
export interface TxnCore<R, M> {
  request(rid: string, req: TxnRequest, now: number): void;
  receive(msg: M, now: number): void;
  tick(now: number): void;
  ready(): Batch<R, object> | undefined;
  /** What the node reports to the harness's status requests, as of `now`. */
  status(now: number): object;
  /** The messages of a batch left, at `now` (once its records were durable). */
  sent?(messages: readonly { to: string; msg: object }[], now: number): void;
}

/** A transactional system's node: how to start its core from its log, and its peer messages. */
export interface TxnProcess<R, M> {
  system: string;
  open(plan: NodePlan, records: readonly R[], now: number): TxnCore<R, M>;
  isPeerMsg(x: unknown): x is M;
}

const TICK_MS = 10;

async function main<R, M>(def: TxnProcess<R, M>): Promise<void> {
  const plan = parsePlanArgs();
  const logger = createLogger({ node: plan.id, clock: new Clock(plan.clockFile) });
  const { disk, records } = await JsonDisk.open(plan.dataDir, { meta: 'txn-meta.json', log: 'txn.log' }, logger);
  const core = def.open(plan, records as R[], performance.now());
  logger.info('starting', { pid: process.pid, records: records.length, ...core.status(performance.now()), bugs: plan.bugs.join(',') || 'none' });

  let transport: Transport | undefined;
  let server: KvServer<TxnRequest> | undefined;
  // Batches leave in the order the core made them, each once its records are on disk. Every
  // batch's write starts at once, so writes made while an fsync is in flight share the next one.
  let sent: Promise<void> = Promise.resolve();
  const pump = (): void => {
    for (let batch = core.ready(); batch; batch = core.ready()) {
      const b = batch;
      const saving = b.records.length > 0 ? disk.save(undefined, b.records) : undefined;
      sent = sent.then(async () => {
        try {
          await saving;
        } catch (err) {
          // Durability is gone: stop rather than acknowledge anything (fail-stop).
          logger.error('disk write failed; exiting', { error: (err as Error).message });
          process.exit(1);
        }
        for (const { to, msg } of b.messages) transport?.send(to, msg);
        core.sent?.(b.messages, performance.now());
        for (const { rid, result } of b.replies) server?.answer(rid, result);
      });
    }
  };
  // The boot record is durable before anything is served.
  pump();
  await sent;

  transport = await startPeerTransport(plan, logger, def.system, def.isPeerMsg, (msg) => {
    core.receive(msg, performance.now());
    pump();
  });
  server = await KvServer.listen(
    plan.clientListen,
    { status: () => core.status(performance.now()), request: (rid, req) => core.request(rid, req, performance.now()), afterBatch: pump },
    parseTxnRequest,
  );
  const ticker = setInterval(() => {
    core.tick(performance.now());
    pump();
  }, TICK_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal, ...core.status(performance.now()) });
    clearInterval(ticker);
    server?.close();
    void Promise.allSettled([transport?.close(), sent.then(() => disk.close())]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** Run the node process `def` describes: `node node.js --plan '<NodePlan JSON>'`. */
export function runTxnNode<R, M>(def: TxnProcess<R, M>): void {
  main(def).catch((err: unknown) => {
    process.stderr.write(`${def.system} node failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
