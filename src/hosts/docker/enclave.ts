/**
 * The enclave of runs against the faultline Docker lab (./lab.ts): the lab's own network
 * namespace, where dockerd's bridges and so every container address live. When DOCKER_HOST names
 * the lab's socket, faultline re-executes itself in that namespace (src/runner/enclave-run.ts), so
 * its clients and probes reach the containers and nothing in the root namespace ever dials one.
 * The lab is the user's (`faultline lab docker up|down`): joining it makes nothing, and releasing
 * it removes nothing. With any other daemon no enclave is needed: its bridge is this machine's.
 */
import type { Enclave, EnclaveHook } from '../../api/host.js';
import { UserError } from '../../user-error.js';
import { daemonAddress } from './daemon.js';
import { LAB_SOCKET, labAlive, readLabState, type DockerLabState } from './lab.js';

/** The token a re-executed faultline rejoins the lab with. */
const TOKEN = 'docker-lab';

function enclaveOf(state: DockerLabState): Enclave {
  return {
    namespace: state.namespace,
    address: state.address,
    token: TOKEN,
    summary: `Docker lab: the harness joins namespace ${state.namespace}, where the lab's dockerd and its containers live`,
    release: async () => undefined,
  };
}

/** Whether this run's daemon is the faultline lab's. */
export function usesLab(): boolean {
  return daemonAddress().socket === LAB_SOCKET;
}

export const dockerEnclave: EnclaveHook = {
  needed: () => usesLab(),
  async open() {
    if (process.getuid?.() !== 0) throw new UserError('runs against the faultline Docker lab need root (the harness joins its network namespace)');
    const state = readLabState();
    if (!state || !labAlive(state) || !state.address) {
      throw new UserError(`DOCKER_HOST names the faultline Docker lab (unix://${LAB_SOCKET}), which is not up: start it with faultline lab docker up`);
    }
    return enclaveOf(state);
  },
  rejoin(token) {
    const state = readLabState();
    return token === TOKEN && state?.address ? enclaveOf(state) : undefined;
  },
};
