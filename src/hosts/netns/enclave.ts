/**
 * The enclave of `--net netns`: a lab of namespaces (src/net/netns/lab.ts) built for the run's
 * nodes by the faultline process the user started, whose control namespace the harness side
 * runs in; released (the whole lab deleted) when the run is over. Labs of runs that died are
 * removed before a new one is built, and by `faultline clean`.
 */
import type { Enclave, EnclaveHook, HostCleaner } from '../../api/host.js';
import { findTool } from '../../net/netns/exec.js';
import { cleanupLeftoverLabs, createLab, destroyLab, ensureRoot, readLab, type Lab } from '../../net/netns/lab.js';
import { UserError } from '../../user-error.js';

function enclaveOf(lab: Lab): Enclave {
  return {
    namespace: lab.control.ns,
    address: lab.control.address,
    token: lab.id,
    summary: `netns lab ${lab.id}: nodes on ${lab.subnet}, harness in ${lab.control.ns} (${lab.control.address})`,
    release: () => destroyLab(lab.id),
  };
}

export const netnsEnclave: EnclaveHook = {
  needed: (spec) => spec.net === 'netns',
  async open(spec) {
    ensureRoot();
    if (!findTool('nft')) throw new UserError('--net netns needs `nft`; install it with apt-get install nftables');
    // Dead runs' labs go first, to free their subnets; one that cannot go is `faultline clean`'s to report.
    await cleanupLeftoverLabs();
    return enclaveOf(await createLab({ nodes: spec.nodes }));
  },
  rejoin(token) {
    const lab = readLab(token);
    return lab ? enclaveOf(lab) : undefined;
  },
};

/** `faultline clean`: the labs of `--net netns` runs whose owner is gone. */
export const netnsLabCleaner: HostCleaner = {
  name: 'netns labs',
  lab: true,
  unavailable: () => (process.getuid?.() !== 0 ? 'needs root' : findTool('ip') === undefined ? 'needs ip (apt-get install iproute2)' : undefined),
  async clean() {
    const { removed, problems } = await cleanupLeftoverLabs();
    return { removed: removed.map((id) => `removed netns lab ${id}`), problems };
  },
};
