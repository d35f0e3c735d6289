/**
 * The raft-kv node process: `node node.js --plan '<NodePlan JSON>'`.
 *
 * The deterministic core (raft.ts: the shared Raft core replicating the key-value store) on the
 * shared node runtime (src/node/kv/run-node.ts): peer messages over the shared transport (sent
 * only on links it dials to `plan.peers`), a 10 ms tick, client requests on `plan.clientListen`,
 * and the disk (src/node/raft/persist.ts), made durable before anything in the same batch is sent.
 */
import { processEnv, runNode } from '../../src/node/kv/run-node.js';
import { makeConfig } from './config.js';
import { isRaftMessage, type RaftMessage } from '../../src/node/raft/messages.js';
import { RaftDisk } from '../../src/node/raft/persist.js';
import { Raft, type Ready } from './raft.js';

runNode<RaftMessage, Ready>('raft-kv', async (plan, clock, logger) => {
  const readMode = plan.options['read-mode'] === undefined ? 'read-index' : String(plan.options['read-mode']);
  const config = makeConfig(plan.id, plan.nodes, { readMode, bugs: plan.bugs });
  logger.info('starting', { pid: process.pid, nodes: plan.nodes.join(','), readMode, bugs: plan.bugs.join(',') || 'none' });
  const { disk, persisted } = await RaftDisk.open(plan.dataDir, logger);
  const raft = new Raft(config, processEnv(clock, logger), persisted);
  return {
    core: raft,
    isMessage: isRaftMessage,
    save: (rd) => (rd.hardState || rd.log ? disk.save(rd) : undefined),
    statusFields: () => ({ lastIndex: raft.log.lastIndex, fsyncs: disk.syncCount() }),
    close: () => disk.close(),
  };
});
