/**
 * The multi-paxos-kv node process: `node node.js --plan '<NodePlan JSON>'`: the core (paxos.ts)
 * on the shared node runtime (src/node/kv/run-node.ts), with its acceptor state on disk
 * (`paxos-meta.json`: the promised ballot; `paxos-log.bin`: slot records, see slots.ts), written
 * and fsynced before any message that depends on it is sent.
 */
import { JsonDisk } from '../../src/node/json-disk.js';
import { processEnv, runNode } from '../../src/node/kv/run-node.js';
import { makeConfig } from './config.js';
import { isPaxosMessage, type PaxosMessage } from './messages.js';
import { Paxos, type Ready } from './paxos.js';

runNode<PaxosMessage, Ready>('multi-paxos-kv', async (plan, clock, logger) => {
  const readMode = String(plan.options['read-mode'] ?? 'read-index');
  const config = makeConfig(plan.id, plan.nodes, { readMode, bugs: plan.bugs });
  logger.info('starting', { pid: process.pid, nodes: plan.nodes.join(','), readMode, bugs: plan.bugs.join(',') || 'none' });
  const { disk, meta, records } = await JsonDisk.open(plan.dataDir, { meta: 'paxos-meta.json', log: 'paxos-log.bin' }, logger);
  const promised = (meta as { promised?: unknown } | undefined)?.promised;
  const paxos = new Paxos(config, processEnv(clock, logger), { records, ...(typeof promised === 'number' && { promised }) });
  return {
    core: paxos,
    isMessage: isPaxosMessage,
    save: (rd) => (rd.promised !== undefined || rd.records ? disk.save(rd.promised === undefined ? undefined : { promised: rd.promised }, rd.records) : undefined),
    statusFields: () => ({ maxSlot: paxos.log.maxSlot, fsyncs: disk.syncCount() }),
    close: () => disk.close(),
  };
});
