/**
 * multi-paxos-kv: a key-value store replicated by Multi-Paxos with a stable leader (paxos.ts),
 * with linearizable read / write / cas on string keys by default and known bugs behind `--bug`.
 */
import { readModeOption } from '../../src/node/kv/config.js';
import { leaderKvSystem } from '../../src/node/kv/system.js';
import { BUGS } from './bugs.js';

export const multiPaxosKv = leaderKvSystem({
  name: 'multi-paxos-kv',
  description:
    'Bundled Multi-Paxos key-value store (stable leader, phase 1 once per ballot for all open ' +
    'slots, durable acceptors, slot recovery on leader change); linearizable read/write/cas',
  bugs: BUGS,
  options: { 'read-mode': readModeOption },
  program: new URL('./node.js', import.meta.url),
});

export default multiPaxosKv;
