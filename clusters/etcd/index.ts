/**
 * etcd, the reference third-party system: real etcd (Debian's etcd-server), one member per
 * node, started as a static cluster with a data directory per node, driven through its JSON
 * gateway. It uses only the plug-in interfaces (src/api), like any system from outside.
 *
 * Peer traffic: etcd derives member ids from the `--initial-cluster` URLs, so every member must
 * be given the same URL for each peer. `--net netns` gives that (each node has one address its
 * peers all dial; partitions cut it at the bridge). The fault proxy (`--net proxy`) gives every
 * ordered pair of nodes a link of its own, so no URL names a member for all of its peers: etcd
 * cannot run there, and says so before the run.
 */
import { execFileSync } from 'node:child_process';
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import type { TestSpec } from '../../src/api/test-spec.js';
import { registerClient } from './client.js';
import { get, status } from './gateway.js';

const POLL_MS = 100;
const PROBE_MS = 1000;

/** The etcd binary a run uses: `--etcd-bin`, or `etcd` on the PATH. */
const binary = (options: Readonly<Record<string, unknown>>): string => String(options['etcd-bin'] ?? 'etcd');

function url(address: string): string {
  return `http://${address}`;
}

function launch(plan: NodePlan) {
  if (plan.peerAdvertise === undefined) throw new Error('etcd needs one peer address per member that all its peers dial: use --net netns');
  const initial = plan.nodes.map((n) => `${n}=${url(n === plan.id ? (plan.peerAdvertise as string) : (plan.peers[n] as string))}`);
  return {
    command: binary(plan.options),
    args: [
      `--name=${plan.id}`,
      `--data-dir=${plan.dataDir}`,
      `--listen-peer-urls=${url(plan.peerListen)}`,
      `--initial-advertise-peer-urls=${url(plan.peerAdvertise)}`,
      `--listen-client-urls=${url(plan.clientListen)}`,
      `--advertise-client-urls=${url(plan.clientListen)}`,
      `--initial-cluster=${initial.join(',')}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=faultline',
      // Elections within a few hundred milliseconds, so a short test sees several.
      '--heartbeat-interval=100',
      '--election-timeout=1000',
    ],
  };
}

function check(spec: TestSpec): void {
  if (spec.hosts === 'local' && spec.net !== 'netns') {
    throw new Error(`etcd identifies members by their peer URLs, which --net ${spec.net} gives each dialer its own of: run it with --net netns (root)`);
  }
  const bin = binary(spec.clusterOptions);
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`cannot run '${bin}': install etcd (apt-get install etcd-server) or give its path with --etcd-bin`);
  }
}

/** Whether a linearizable read succeeds through every node: a leader exists and all members follow it. */
async function ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
  for (const node of cluster.nodes) {
    for (;;) {
      signal.throwIfAborted();
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(PROBE_MS)]);
      const ok = await get(cluster.clientAddresses[node] as string, 'faultline/ready', false, attempt).then(() => true, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** The node whose member id is the leader most nodes report. */
async function primary(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined> {
  const attempt = AbortSignal.any([signal, AbortSignal.timeout(PROBE_MS)]);
  const seen = await Promise.all(cluster.nodes.map((n) => status(cluster.clientAddresses[n] as string, attempt).then((s) => ({ node: n, ...s }), () => undefined)));
  const known = seen.filter((s) => s !== undefined);
  const votes = new Map<string, number>();
  for (const s of known) if (s.leader !== '0') votes.set(s.leader, (votes.get(s.leader) ?? 0) + 1);
  const leader = [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
  return known.find((s) => s.member === leader)?.node;
}

export const etcd: SystemDef = {
  name: 'etcd',
  description: 'Real etcd (Debian etcd-server), a static cluster of members; register (read/write/cas via transactions) over the JSON gateway. Needs --net netns',
  bugs: {},
  options: {
    'etcd-bin': { describe: 'the etcd binary (default: etcd on the PATH)', default: 'etcd' },
    'etcd-serializable-reads': {
      describe: 'serve reads from the member\'s local state (serializable) instead of a quorum read; stale reads become possible',
      choices: ['true', 'false'],
      default: 'false',
      flag: true,
    },
  },
  lacks: { clock: 'etcd is a Go binary, which ignores libfaketime, so its clock cannot be skewed' },
  clients: { register: registerClient },
  launch,
  check,
  ready,
  primary,
};

export default etcd;
