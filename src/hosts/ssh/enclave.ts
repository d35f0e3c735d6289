/**
 * The enclave of `--hosts ssh` against a lab of `faultline lab ssh up`: the lab's addresses live
 * in namespaces, so the harness side (SSH connections, clients) runs in the lab's control
 * namespace. The lab belongs to the user (it outlives runs), so releasing the enclave removes
 * nothing. Against real hosts there is no enclave: the harness runs in place.
 */
import type { Enclave, EnclaveHook, HostSpec } from '../../api/host.js';
import { assertInNamespace } from '../../net/netns/in-namespace.js';
import { readLab, type Lab } from '../../net/netns/lab.js';
import { UserError } from '../../user-error.js';
import { readHostsFile } from './inventory.js';

function labOf(spec: HostSpec): string | undefined {
  const file = spec.hostOptions['hosts-file'];
  return file === undefined ? undefined : readHostsFile(file).lab;
}

function enclaveOf(lab: Lab): Enclave {
  return {
    namespace: lab.control.ns,
    address: lab.control.address,
    token: lab.id,
    summary: `ssh lab ${lab.id}: hosts on ${lab.subnet}, harness in ${lab.control.ns} (${lab.control.address})`,
    release: async () => undefined,
  };
}

/** Lab `id`. @throws UserError when it is gone. */
function liveLab(id: string): Lab {
  const lab = readLab(id);
  if (!lab) throw new UserError(`the hosts file names ssh lab ${id}, which is gone: build it again with faultline lab ssh up`);
  return lab;
}

/**
 * Before dialing the hosts of lab `id`: this process must be in the lab's control namespace (from
 * the root namespace, lab addresses are routed off the machine).
 * @throws UserError when the lab is gone; NotInNamespaceError when this process is elsewhere.
 */
export function assertInLab(id: string): void {
  assertInNamespace(liveLab(id).control.address);
}

export const sshEnclave: EnclaveHook = {
  needed: (spec) => labOf(spec) !== undefined,
  async open(spec) {
    const id = labOf(spec) as string;
    if (process.getuid?.() !== 0) throw new UserError(`runs against ssh lab ${id} need root: their harness side runs in the lab's control namespace`);
    return enclaveOf(liveLab(id));
  },
  rejoin(token) {
    const lab = readLab(token);
    return lab ? enclaveOf(lab) : undefined;
  },
};
