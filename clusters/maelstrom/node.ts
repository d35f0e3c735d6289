/**
 * The Maelstrom shim, a faultline node process: `node node.js --plan '<NodePlan JSON>'`. It
 * starts the Maelstrom node program (`--maelstrom-bin`, with `--maelstrom-args`), sends it
 * Maelstrom's `init` and waits for `init_ok`; then it carries the program's messages to the other
 * nodes' shims over the shared transport (src/node/transport.ts, so the fault proxy, namespaces
 * and containers cut and slow them for real) and serves faultline's clients on the bundled nodes'
 * client port, as Maelstrom clients (./router.ts says where each message goes). The program's
 * stderr is the shim's, collected as the node's log; when the program exits, so does the shim,
 * and the harness sees the node crash.
 */
import { performance } from 'node:perf_hooks';
import { KvServer } from '../../src/node/kv/server.js';
import { createLogger } from '../../src/node/logger.js';
import { parsePlanArgs } from '../../src/node/plan.js';
import { startPeerTransport } from '../../src/node/peer-transport.js';
import type { Transport } from '../../src/node/transport.js';
import { initMessage, isInitOk, NodeBinary, programArgs } from './binary.js';
import type { MaelstromMessage } from './protocol.js';
import { isShimMessage, Router } from './router.js';
import { parseRpcRequest, type Rpc } from './rpc.js';

/** How long the program may take to answer `init` (an interpreter starting on a loaded machine takes seconds). */
const INIT_TIMEOUT_MS = 30_000;
/** Grace period of the program on a graceful stop. */
const STOP_GRACE_MS = 2000;
const EXPIRE_EVERY_MS = 5000;

async function main(): Promise<void> {
  const plan = parsePlanArgs();
  const logger = createLogger({ node: plan.id });
  const command = String(plan.options['maelstrom-bin'] ?? '');
  const args = programArgs(plan.options['maelstrom-args']);
  let stopping = false;
  /** Messages for the program held until it has answered `init`; undefined once it has. */
  let held: MaelstromMessage[] | undefined = [];
  let transport: Transport | undefined;
  let server: KvServer<Rpc> | undefined;

  const binary = new NodeBinary(command, args, {
    message(msg) {
      if (held && isInitOk(msg)) {
        clearTimeout(initTimer);
        logger.info('node program initialised');
        for (const m of held) binary.send(m);
        held = undefined;
        return;
      }
      router.fromNode(msg);
    },
    garbage: (line) => logger.every('garbage', 1000, 'warn', 'the node program wrote a line that is no Maelstrom message', { line: line.slice(0, 200) }),
    exit(code, signal) {
      if (stopping) return;
      logger.error('the node program exited', { code, signal });
      process.exit(1);
    },
  });
  const router = new Router(plan.id, plan.nodes, {
    toNode: (msg) => (held ? held.push(msg) : binary.send(msg)),
    toPeer: (peer, msg) => void transport?.send(peer, msg),
    answer: (rid, body) => server?.answer(rid, { type: 'ok', value: body }),
    warn: (key, message, fields) => logger.every(key, 5000, 'warn', message, fields),
  });
  logger.info('starting', { pid: process.pid, program: command, args: args.join(' ') });
  binary.send(initMessage(plan.id, plan.nodes));
  const initTimer = setTimeout(() => {
    logger.error(`the node program did not answer init within ${INIT_TIMEOUT_MS} ms`);
    process.exit(1);
  }, INIT_TIMEOUT_MS);

  // Both ports are taken at once, as every bundled node does (ports the harness chose are not
  // left free for long), while the program starts: what arrives meanwhile waits in `held`.
  transport = await startPeerTransport(plan, logger, 'shim', isShimMessage, (env) => router.fromPeer(env.from, env));
  server = await KvServer.listen(
    plan.clientListen,
    {
      // A status without a value until the program is initialised: the cluster is not ready yet
      // (src/node/kv/probe.ts counts a node as answering only when its status has a value).
      status: () => (held ? undefined : { id: plan.id }),
      request: (rid, req) => router.clientRequest(rid, req.src, req.body, performance.now()),
    },
    parseRpcRequest,
  );
  const expiry = setInterval(() => router.expire(performance.now()), EXPIRE_EVERY_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    stopping = true;
    clearInterval(expiry);
    clearTimeout(initTimer);
    server?.close();
    void Promise.allSettled([binary.stop(STOP_GRACE_MS), transport?.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`maelstrom shim failed: ${(err as Error).message}\n`);
  process.exit(1);
});
