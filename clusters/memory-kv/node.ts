/**
 * The memory-kv node process: `node node.js --plan '<NodePlan JSON>'`.
 *
 * Why: the cheapest system faultline can test, to measure the harness itself. It keeps one
 * in-memory map and answers every request the moment it arrives, over raft-kv's client protocol
 * (newline-delimited JSON, see ../raft-kv/protocol.ts), whose parser and state machine it
 * reuses. It has no peers and no disk: a restart forgets everything.
 */
import net from 'node:net';
import type { NodePlan } from '../../src/api/cluster.js';
import { Clock } from '../../src/node/clock.js';
import { createLogger } from '../../src/node/logger.js';
import { parseAddress, parsePlanArgs, PlanError } from '../../src/node/plan.js';
import { serveLines } from '../../src/node/transport.js';
import type { Command } from '../raft-kv/log.js';
import { parseRequest, type KvRequest, type KvResult, type NodeStatus } from '../raft-kv/protocol.js';
import { KvStateMachine } from '../raft-kv/state-machine.js';

/** Longest request line accepted; a longer one closes the connection. */
const MAX_LINE_BYTES = 1024 * 1024;

/** The state-machine command for a client request. */
function toCommand(req: KvRequest): Command {
  switch (req.f) {
    case 'read':
      return { op: 'read', key: req.key };
    case 'write':
      return { op: 'write', key: req.key, value: req.value };
    case 'cas':
      return { op: 'cas', key: req.key, expected: req.value[0], value: req.value[1] };
  }
}

/** Apply one request to `store` and say how it went. */
function answer(store: KvStateMachine, req: KvRequest): KvResult {
  const result = store.apply(toCommand(req));
  return result.ok ? { type: 'ok', value: result.value } : { type: 'fail', error: 'precondition-failed' };
}

function serve(plan: NodePlan): void {
  const logger = createLogger({ node: plan.id, clock: new Clock(plan.clockFile) });
  const store = new KvStateMachine();
  let applied = 0;
  const status = (): NodeStatus => ({ id: plan.id, role: 'leader', term: 0, leader: plan.id, commitIndex: applied });
  const server = net.createServer((socket) => {
    serveLines(socket, MAX_LINE_BYTES, (lines) => {
      const replies: string[] = [];
      for (const line of lines) {
        const parsed = parseRequest(line);
        let body: object;
        if (parsed.kind === 'status') body = { id: parsed.id, type: 'ok', value: status() };
        else if (parsed.kind === 'bad') body = { id: parsed.id, type: 'fail', error: 'bad-request', message: parsed.message };
        else {
          applied++;
          body = { id: parsed.id, ...answer(store, parsed.req) };
        }
        replies.push(JSON.stringify(body));
      }
      if (replies.length > 0 && socket.writable) socket.write(`${replies.join('\n')}\n`);
    });
  });
  const { host, port } = parseAddress(plan.clientListen);
  server.once('error', (err) => {
    // A port taken between allocation and listen, most likely: say so and exit at once.
    process.stderr.write(`memory-kv node ${plan.id}: cannot listen on ${plan.clientListen}: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(port, host, () => logger.info('listening', { clients: plan.clientListen, pid: process.pid }));
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal, applied, keys: store.size() });
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

try {
  serve(parsePlanArgs());
} catch (err) {
  process.stderr.write(`memory-kv node: ${err instanceof PlanError ? err.message : String(err)}\n`);
  process.exit(2);
}
