import { describeLeaderCore } from '../leader-core.js';
import { PbSim } from './sim.js';

describeLeaderCore({
  name: 'primary-backup core',
  sim: (opts) => new PbSim(opts),
  bugs: { 'no-epoch-check': { crashes: false }, 'ack-before-persist': { crashes: true } },
  checkQuorum: true,
});
