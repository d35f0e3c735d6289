/**
 * The lock-service node process: `node node.js --plan '<NodePlan JSON>'`. The lock core
 * (./core.ts: the shared Raft core replicating the lock state) on the shared node runtime
 * (src/node/kv/run-node.ts), with the Raft disk (src/node/raft/persist.ts), the lock protocol on
 * the client port, and the node's clock (skewable) timing leases.
 */
import { processEnv, runNode } from '../../src/node/kv/run-node.js';
import { isRaftMessage, type RaftMessage } from '../../src/node/raft/messages.js';
import { RaftDisk } from '../../src/node/raft/persist.js';
import { LockCore, makeLockConfig, type Ready } from './core.js';
import { parseLockRequest, type LockRequest } from './protocol.js';

runNode<RaftMessage, Ready, LockRequest>('lock-service', async (plan, clock, logger) => {
  const election = plan.options['lock-election'] === undefined ? undefined : String(plan.options['lock-election']);
  const config = makeLockConfig(plan.id, plan.nodes, { bugs: plan.bugs, ...(election !== undefined && { election }) });
  const { leaseMs, graceMs } = config;
  logger.info('starting', { pid: process.pid, nodes: plan.nodes.join(','), election: config.raft.election, leaseMs, graceMs, bugs: plan.bugs.join(',') || 'none' });
  const { disk, persisted } = await RaftDisk.open(plan.dataDir, logger);
  const core = new LockCore(config, processEnv(clock, logger), persisted);
  return {
    core,
    parseRequest: parseLockRequest,
    isMessage: isRaftMessage,
    save: (rd) => (rd.hardState || rd.log ? disk.save(rd) : undefined),
    statusFields: () => ({ lastIndex: core.log.lastIndex, lastToken: core.state.highestToken, fsyncs: disk.syncCount() }),
    close: () => disk.close(),
  };
});
