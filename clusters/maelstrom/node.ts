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
import { createLogger, type Logger } from '../../src/node/logger.js';
import { MessageTrace } from '../../src/node/message-trace.js';
import { parsePlanArgs } from '../../src/node/plan.js';
import { Transport } from '../../src/node/transport.js';
import { initMessage, isInitOk, NodeBinary, programArgs } from './binary.js';
import { isMaelstromMessage, type MaelstromMessage } from './protocol.js';
import { isShimMessage, Router } from './router.js';
import { parseRpcRequest, type Rpc } from './rpc.js';

/** How long the program may take to answer `init`. */
const INIT_TIMEOUT_MS = 10_000;
/** Grace period of the program on a graceful stop. */
const STOP_GRACE_MS = 2000;
const EXPIRE_EVERY_MS = 5000;

/** Resolves with the program's `init_ok`; rejects after INIT_TIMEOUT_MS. */
function waitForInit(logger: Logger, onInit: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the node program did not answer init within ${INIT_TIMEOUT_MS} ms`)), INIT_TIMEOUT_MS);
    onInit(() => {
      clearTimeout(timer);
      logger.info('node program initialised');
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const plan = parsePlanArgs();
  const logger = createLogger({ node: plan.id });
  const command = String(plan.options['maelstrom-bin'] ?? '');
  const args = programArgs(plan.options['maelstrom-args']);
  let stopping = false;
  /** Messages the program wrote before the network was up, routed once it is. */
  let early: MaelstromMessage[] | undefined = [];
  let initialised: (() => void) | undefined;
  let router: Router | undefined;

  const binary = new NodeBinary(command, args, {
    message(msg) {
      if (initialised && isInitOk(msg)) return initialised();
      if (early) early.push(msg);
      else router?.fromNode(msg);
    },
    garbage: (line) => logger.every('garbage', 1000, 'warn', 'the node program wrote a line that is no Maelstrom message', { line: line.slice(0, 200) }),
    exit(code, signal) {
      if (stopping) return;
      logger.error('the node program exited', { code, signal });
      process.exit(1);
    },
  });
  logger.info('starting', { pid: process.pid, program: command, args: args.join(' ') });
  const init = waitForInit(logger, (resolve) => (initialised = resolve));
  binary.send(initMessage(plan.id, plan.nodes));
  await init;
  initialised = undefined;

  const trace = MessageTrace.forPlan(plan);
  let transport: Transport | undefined;
  let server: KvServer<Rpc> | undefined;
  router = new Router(plan.id, plan.nodes, {
    toNode: (msg) => binary.send(msg),
    toPeer: (peer, msg) => void transport?.send(peer, msg),
    answer: (rid, body) => server?.answer(rid, { type: 'ok', value: body }),
    warn: (key, message, fields) => logger.every(key, 5000, 'warn', message, fields),
  });
  const routes = router;
  transport = await Transport.start({
    self: plan.id,
    listen: plan.peerListen,
    peers: plan.peers,
    logger,
    ...(trace && { trace }),
    onMessage: (env) => {
      if (!isShimMessage(env) || !isMaelstromMessage(env.msg)) return logger.every('bad-msg', 5000, 'warn', 'malformed shim message dropped');
      routes.fromPeer(env.from, env);
    },
  });
  server = await KvServer.listen(
    plan.clientListen,
    { status: () => ({ id: plan.id }), request: (rid, req) => routes.clientRequest(rid, req.src, req.body, performance.now()) },
    parseRpcRequest,
  );
  for (const msg of early ?? []) routes.fromNode(msg);
  early = undefined;
  const expiry = setInterval(() => routes.expire(performance.now()), EXPIRE_EVERY_MS);
  logger.info('listening', { peers: plan.peerListen, clients: plan.clientListen });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    stopping = true;
    clearInterval(expiry);
    server?.close();
    void Promise.allSettled([binary.stop(STOP_GRACE_MS), transport?.close(), trace?.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`maelstrom shim failed: ${(err as Error).message}\n`);
  process.exit(1);
});
