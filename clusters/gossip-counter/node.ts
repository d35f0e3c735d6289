/**
 * The gossip-counter node process: `node node.js --plan '<NodePlan JSON>'`. A Replica
 * (./replica.ts) on the shared node runtime: peers over the shared transport, the whole state
 * gossiped to every peer every GOSSIP_MS, adds and reads waiting for a majority (./quorum.ts),
 * the client port of the bundled nodes speaking ./protocol.ts, and the state in `counter.json`,
 * fsynced before an add or a peer's push is acknowledged, so a restarted node forgets nothing it
 * acknowledged.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Clock } from '../../src/node/clock.js';
import { KvServer } from '../../src/node/kv/server.js';
import { createLogger } from '../../src/node/logger.js';
import { parsePlanArgs } from '../../src/node/plan.js';
import { readJsonFile, writeFileAtomic } from '../../src/node/storage.js';
import { startPeerTransport } from '../../src/node/peer-transport.js';
import type { Transport } from '../../src/node/transport.js';
import { bugSet } from './bugs.js';
import { emptyState, isPnState } from './pn-counter.js';
import { parseCounterRequest, type CounterRequest } from './protocol.js';
import { Quorum } from './quorum.js';
import { isCounterMessage, Replica, type CounterMessage } from './replica.js';
import { Saver } from './saver.js';

const GOSSIP_MS = 100;
/** Longer than any client timeout: a request unanswered by then is forgotten. */
const EXPIRE_MS = 30_000;

async function main(): Promise<void> {
  const plan = parsePlanArgs();
  const logger = createLogger({ node: plan.id, clock: new Clock(plan.clockFile) });
  const file = join(plan.dataDir, 'counter.json');
  const saved = await readJsonFile(file);
  const replica = new Replica(plan.id, bugSet(plan.bugs), isPnState(saved) ? saved : emptyState(), (m, f) => logger.every(m, 1000, 'info', m, f));
  logger.info('starting', { pid: process.pid, value: replica.value(), bugs: plan.bugs.join(',') || 'none' });

  const saver = new Saver(() => writeFileAtomic(file, JSON.stringify(replica.snapshot())));
  const durably = (then: () => void): void => {
    saver.save().then(then, (err: unknown) => {
      // Durability is gone: stop rather than acknowledge anything (fail-stop).
      logger.error('disk write failed; exiting', { error: (err as Error).message });
      process.exit(1);
    });
  };
  const quorum = new Quorum(plan.nodes.length, EXPIRE_MS);
  const others = plan.nodes.filter((n) => n !== plan.id);
  let transport: Transport | undefined;
  const send = (to: string, msg: CounterMessage): void => void transport?.send(to, msg);
  const broadcast = (msg: CounterMessage): void => others.forEach((peer) => send(peer, msg));

  transport = await startPeerTransport(plan, logger, 'gossip-counter', isCounterMessage, (msg) => {
    const now = performance.now();
    switch (msg.type) {
      case 'gossip':
        return replica.receive(msg.from, msg.state, now);
      case 'push':
        replica.receive(msg.from, msg.state, now);
        return durably(() => send(msg.from, { type: 'pushed', rid: msg.rid }));
      case 'pull':
        return send(msg.from, { type: 'state', rid: msg.rid, state: replica.snapshot() });
      case 'state':
        replica.receive(msg.from, msg.state, now);
        return quorum.answer(msg.rid, msg.from);
      case 'pushed':
        return quorum.answer(msg.rid, msg.from);
    }
  });
  const server: KvServer<CounterRequest> = await KvServer.listen(
    plan.clientListen,
    {
      status: () => ({ id: plan.id, value: replica.value() }),
      request: (rid, req) => {
        if (req.f === 'read') {
          const pull = quorum.open(performance.now(), () => server.answer(rid, { type: 'ok', value: replica.value() }));
          if (pull !== undefined) broadcast({ type: 'pull', rid: pull });
          return;
        }
        replica.add(req.value);
        durably(() => {
          const push = quorum.open(performance.now(), () => server.answer(rid, { type: 'ok', value: req.value }));
          if (push !== undefined) broadcast({ type: 'push', rid: push, state: replica.snapshot() });
        });
      },
    },
    parseCounterRequest,
  );
  const gossip = setInterval(() => {
    broadcast({ type: 'gossip', state: replica.snapshot() });
    quorum.expire(performance.now());
  }, GOSSIP_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal, value: replica.value() });
    clearInterval(gossip);
    server.close();
    void Promise.allSettled([transport?.close(), saver.idle()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`gossip-counter node failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
