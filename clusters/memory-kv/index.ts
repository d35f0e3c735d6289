/**
 * memory-kv: the trivial system under test. Each node is an unreplicated in-memory key-value
 * store that answers read / write / cas at once, over raft-kv's client protocol and with
 * raft-kv's client, so the two systems are tested by exactly the same code path.
 *
 * Why: a baseline for faultline's own overhead and for load tests of the harness (hundreds of
 * clients, thousands of operations a second), where the system must never be the bottleneck.
 * With `--nodes 1` it is linearizable; with more nodes every node is its own store, so clients
 * of different nodes see different registers and the history is (correctly) not linearizable.
 */
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import { nodeProgram } from '../../src/node/entry.js';
import { registerClient } from '../raft-kv/client.js';
import { nodeStatus } from '../raft-kv/index.js';

const POLL_MS = 50;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The memory-kv system definition, registered as `memory-kv`. */
export const memoryKv: SystemDef = {
  name: 'memory-kv',
  description:
    'Unreplicated in-memory key-value store answering read/write/cas at once; a baseline for ' +
    "faultline's own overhead. Linearizable with --nodes 1 only: with more nodes every node is " +
    'its own store, which is not linearizable',
  bugs: {},
  clients: { register: registerClient },

  launch(plan: NodePlan) {
    return nodeProgram(new URL('./node.js', import.meta.url), ['--plan', JSON.stringify(plan)]);
  },

  /** Ready once every node answers a status request. */
  async ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
    for (;;) {
      const answers = await Promise.all(cluster.nodes.map((n) => nodeStatus(cluster.clientAddresses[n]!, signal)));
      if (answers.every((s) => s !== undefined)) return;
      await pause(POLL_MS, signal);
    }
  },
};

export default memoryKv;
