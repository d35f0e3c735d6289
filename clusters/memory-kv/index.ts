/**
 * memory-kv: the trivial system under test. Each node is an unreplicated in-memory key-value
 * store that answers read / write / cas at once, over the shared key-value client protocol and
 * with the shared client (src/node/kv/), so it is tested by exactly the same code path as the
 * replicated systems.
 *
 * Why: a baseline for faultline's own overhead and for load tests of the harness (hundreds of
 * clients, thousands of operations a second), where the system must never be the bottleneck.
 * With `--nodes 1` it is linearizable; with more nodes every node is its own store, so clients
 * of different nodes see different registers and the history is (correctly) not linearizable.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { registerClient } from '../../src/node/kv/client.js';
import { setOverRegister } from '../../src/node/kv/set-client.js';
import { everyNodeAnswers } from '../../src/node/kv/probe.js';

/** The memory-kv system definition, registered as `memory-kv`. */
export const memoryKv: SystemDef = {
  name: 'memory-kv',
  description:
    'Unreplicated in-memory key-value store answering read/write/cas at once; a baseline for ' +
    "faultline's own overhead. Linearizable with --nodes 1 only: with more nodes every node is " +
    'its own store, which is not linearizable',
  bugs: {},
  clients: { register: registerClient, set: setOverRegister(registerClient) },

  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),

  /** Ready once every node answers a status request. */
  ready: everyNodeAnswers,
};

export default memoryKv;
