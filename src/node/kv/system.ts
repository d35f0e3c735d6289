/**
 * The SystemDef of a bundled replicated key-value system whose nodes elect a leader: its node
 * program launched with the plan, the shared `register` client (and `set` over it), and `ready` / `primary` from the
 * status probe. A system folder only adds its name, words, bugs and options.
 */
import type { NodePlan, SystemDef, SystemOption } from '../../api/cluster.js';
import { planProgram } from '../entry.js';
import { registerClient } from './client.js';
import { leaderHooks } from './probe.js';
import { setOverRegister } from './set-client.js';

export interface LeaderKvSystem {
  name: string;
  description: string;
  bugs: SystemDef['bugs'];
  options?: Readonly<Record<string, SystemOption>>;
  /** The node program, as `new URL('./node.js', import.meta.url)`. */
  program: URL;
}

export function leaderKvSystem({ program, ...def }: LeaderKvSystem): SystemDef {
  return {
    ...def,
    clients: { register: registerClient, set: setOverRegister(registerClient) },
    launch: (plan: NodePlan) => planProgram(program, plan),
    ready: leaderHooks.ready,
    primary: leaderHooks.primary,
  };
}
