/**
 * The peer transport every bundled node starts the same way: listen on the plan's peer address,
 * dial the plan's peers, keep the message trace when the plan asks for one, and hand on only
 * messages of the node's own protocol. A malformed message is dropped (and logged, at most once
 * every few seconds), never thrown at the protocol code.
 */
import type { NodePlan } from '../api/cluster.js';
import type { Logger } from './logger.js';
import { MessageTrace } from './message-trace.js';
import { Transport } from './transport.js';

/** Drop warnings for malformed messages are logged at most this often. */
const BAD_MESSAGE_LOG_MS = 5000;

export function startPeerTransport<M>(
  plan: NodePlan,
  logger: Logger,
  system: string,
  isMessage: (msg: unknown) => msg is M,
  onMessage: (msg: M) => void,
): Promise<Transport> {
  const trace = MessageTrace.forPlan(plan);
  return Transport.start({
    self: plan.id,
    listen: plan.peerListen,
    peers: plan.peers,
    logger,
    ...(trace && { trace }),
    onMessage: (msg) => {
      if (isMessage(msg)) onMessage(msg);
      else logger.every('bad-msg', BAD_MESSAGE_LOG_MS, 'warn', `malformed ${system} message dropped`);
    },
  });
}
