/**
 * The txn-3pc node process: `node node.js --plan '<NodePlan JSON>'`. The core (./core.ts) in the
 * process every bundled transactional node runs in (src/node/txn/process.ts: shared transport,
 * client port, 10 ms tick, one fsynced log whose records are durable before what follows them
 * goes out).
 */
import { runTxnNode } from '../../src/node/txn/process.js';
import { TxnNode } from './core.js';
import { isPeerMsg, type Envelope, type Rec } from './protocol.js';

runTxnNode<Rec, Envelope>({
  system: 'txn-3pc',
  open: (plan, records, now) => new TxnNode({ id: plan.id, nodes: plan.nodes }, records, now),
  isPeerMsg,
});
