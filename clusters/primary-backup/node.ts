/**
 * The primary-backup node process: `node node.js --plan '<NodePlan JSON>'`: the core (zab.ts)
 * on the shared node runtime (src/node/kv/run-node.ts), with its state on disk (`pb-meta.json`:
 * the accepted and current epochs; `pb-log.bin`: history records, see history.ts), written and
 * fsynced before any message that depends on it is sent.
 */
import { JsonDisk } from '../../src/node/json-disk.js';
import { processEnv, runNode } from '../../src/node/kv/run-node.js';
import { makeConfig } from './config.js';
import { isPbMessage, type PbMessage } from './messages.js';
import { asEpochs } from './recovery.js';
import { Zab, type Ready } from './zab.js';

runNode<PbMessage, Ready>('primary-backup', async (plan, clock, logger) => {
  const readMode = String(plan.options['read-mode'] ?? 'read-index');
  const config = makeConfig(plan.id, plan.nodes, { readMode, bugs: plan.bugs });
  logger.info('starting', { pid: process.pid, nodes: plan.nodes.join(','), readMode, bugs: plan.bugs.join(',') || 'none' });
  const { disk, meta, records } = await JsonDisk.open(plan.dataDir, { meta: 'pb-meta.json', log: 'pb-log.bin' }, logger);
  const epochs = asEpochs(meta);
  const zab = new Zab(config, processEnv(clock, logger), { records, ...(epochs && { epochs }) });
  return {
    core: zab,
    isMessage: isPbMessage,
    save: (rd) => (rd.epochs || rd.records ? disk.save(rd.epochs, rd.records) : undefined),
    statusFields: () => ({ epoch: zab.currentEpoch, last: zab.history.lastIndex, fsyncs: disk.syncCount() }),
    close: () => disk.close(),
  };
});
