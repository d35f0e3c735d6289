/** txn-2pc cores on the simulated network and disk of ../txn-sim.ts. */
import { TxnNode } from '../../../clusters/txn-2pc/core.js';
import type { Rec } from '../../../clusters/txn-2pc/outbox.js';
import type { PeerMsg } from '../../../clusters/txn-2pc/protocol.js';
import { CoreSim, type InFlight as SimInFlight } from '../txn-sim.js';

export type InFlight = SimInFlight<PeerMsg>;

export class TxnSim extends CoreSim<Rec, PeerMsg, TxnNode> {
  constructor(ids: readonly string[], bugs: readonly string[] = []) {
    super(ids, (id, records, now) => new TxnNode({ id, nodes: ids, bugs }, records, now));
  }
}
