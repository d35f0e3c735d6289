/**
 * The memory-kv node process: `node node.js --plan '<NodePlan JSON>'`.
 *
 * Why: the cheapest system faultline can test, to measure the harness itself. It keeps one
 * in-memory map and answers every request the moment it arrives, on the shared client port
 * (src/node/kv/server.ts) with the shared state machine. It has no peers and no disk: a restart
 * forgets everything.
 */
import type { NodePlan } from '../../src/api/cluster.js';
import { Clock } from '../../src/node/clock.js';
import { createLogger } from '../../src/node/logger.js';
import { parsePlanArgs, PlanError } from '../../src/node/plan.js';
import type { NodeStatus } from '../../src/node/kv/protocol.js';
import { KvServer } from '../../src/node/kv/server.js';
import { commandFor, KvStateMachine, resultReply } from '../../src/node/kv/state-machine.js';

async function serve(plan: NodePlan): Promise<void> {
  const logger = createLogger({ node: plan.id, clock: new Clock(plan.clockFile) });
  const store = new KvStateMachine();
  let applied = 0;
  const status = (): NodeStatus => ({ id: plan.id, role: 'leader', term: 0, leader: plan.id, commitIndex: applied });
  let server: KvServer;
  try {
    server = await KvServer.listen(plan.clientListen, {
      status,
      request: (rid, req) => {
        applied++;
        server.answer(rid, resultReply(store.apply(commandFor(req))));
      },
    });
  } catch (err) {
    // A port taken between allocation and listen, most likely: say so and exit at once.
    process.stderr.write(`memory-kv node ${plan.id}: cannot listen on ${plan.clientListen}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  logger.info('listening', { clients: plan.clientListen, pid: process.pid });
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal, applied, keys: store.size() });
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

try {
  await serve(parsePlanArgs());
} catch (err) {
  process.stderr.write(`memory-kv node: ${err instanceof PlanError ? err.message : String(err)}\n`);
  process.exit(2);
}
