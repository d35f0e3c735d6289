/**
 * primary-backup: a Zab-like replicated key-value store (zab.ts): epochs, a primary per epoch,
 * recovery from the most up-to-date majority, ordered broadcast with majority acknowledgement,
 * linearizable read / write / cas on string keys by default and known bugs behind `--bug`.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { registerClient } from '../../src/node/kv/client.js';
import { readModeOption } from '../../src/node/kv/config.js';
import { leaderHooks } from '../../src/node/kv/probe.js';
import { BUGS } from './bugs.js';

export const primaryBackup: SystemDef = {
  name: 'primary-backup',
  description:
    'Bundled Zab-like primary-backup key-value store (epochs, a primary per epoch synced from the ' +
    'most up-to-date majority before it serves, ordered broadcast acknowledged by a majority); ' +
    'linearizable read/write/cas',
  bugs: BUGS,
  options: { 'read-mode': readModeOption },
  clients: { register: registerClient },
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready: leaderHooks.ready,
  primary: leaderHooks.primary,
};

export default primaryBackup;
