/**
 * primary-backup: a Zab-like replicated key-value store (zab.ts): epochs, a primary per epoch,
 * recovery from the most up-to-date majority, ordered broadcast with majority acknowledgement,
 * linearizable read / write / cas on string keys by default and known bugs behind `--bug`.
 */
import { readModeOption } from '../../src/node/kv/config.js';
import { leaderKvSystem } from '../../src/node/kv/system.js';
import { BUGS } from './bugs.js';

export const primaryBackup = leaderKvSystem({
  name: 'primary-backup',
  description:
    'Bundled Zab-like primary-backup key-value store (epochs, a primary per epoch synced from the ' +
    'most up-to-date majority before it serves, ordered broadcast acknowledged by a majority); ' +
    'linearizable read/write/cas',
  bugs: BUGS,
  options: { 'read-mode': readModeOption },
  program: new URL('./node.js', import.meta.url),
});

export default primaryBackup;
