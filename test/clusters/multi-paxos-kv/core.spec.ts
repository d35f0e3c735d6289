import { describeLeaderCore } from '../leader-core.js';
import { PaxosSim } from './sim.js';

describeLeaderCore({
  name: 'multi-paxos core',
  sim: (opts) => new PaxosSim(opts),
  bugs: { 'accept-without-promise-check': { crashes: false }, 'forget-accepted-on-restart': { crashes: true } },
  checkQuorum: false,
});
