/**
 * `--hosts docker`: every node in a container of a Docker daemon on this machine, through
 * dockerode (never a docker CLI). A run makes, all labelled with its id: a user-defined bridge
 * network with a fixed address per node, a sandbox container per node that owns its network
 * namespace, and the node's container in it (./fleet.ts), from images faultline builds from this
 * machine's Node.js and its compiled tree, cached by content (./image.ts), or from the user's
 * (`--docker-image`). Faults: partitions and loss are iptables rules in each node's namespace,
 * entered from here through the sandbox's pid (NetnsNet without a switch); latency comes from a
 * fault proxy per node in that namespace, as in `--net netns` (proxy-control.ts); kill, stop,
 * pause and restart go through the Docker API (./docker-cluster.ts); clock skew rewrites a clock
 * file in the node's bind-mounted directory, which also holds its data. With the faultline lab's
 * daemon (./lab.ts), the harness side runs inside the lab's namespace (./enclave.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { NodeLaunch, NodePlan, SystemDef } from '../../api/cluster.js';
import type { HostBackend, HostRequest, Hosts, HostSpec, PlacedNode } from '../../api/host.js';
import { NetnsNet } from '../../net/netns/netns-net.js';
import { NamespaceProxies } from '../../net/netns/proxy-control.js';
import { COMPILED_ROOT } from '../../node/entry.js';
import { HARNESS_ENV, processIdentity } from '../../process-identity.js';
import { UserError } from '../../user-error.js';
import { faketimeEnv, findLibfaketime } from '../local/faketime.js';
import { RUN_ENV } from '../local/local-cluster.js';
import { checkLocal, connectDaemon, daemonAddress, LABELS } from './daemon.js';
import { DockerCluster, processHasEnv } from './docker-cluster.js';
import { dockerEnclave, usesLab } from './enclave.js';
import { allSettledOrThrow, Fleet } from './fleet.js';
import { commandFiles, ensureBaseImage, ensureNodeImage, IMAGE_NODE, IMAGE_TREE, imagePathOf, type ImageFile } from './image.js';
import { dockerLab, LAB_EXPORT, labAlive, readLabState } from './lab.js';
import { cleanDaemon, dockerLabCleaner, dockerRunCleaner } from './leftovers.js';

/** Fixed ports: every node has its own address. */
const PEER_PORT = 7000;
const CLIENT_PORT = 7001;
/** The node's own directory in its container (bind-mounted): its data directory and clock file. */
const NODE_DIR = '/faultline-node';
/** Where libfaketime is bind-mounted for `clock: 'faketime'` systems. */
const FAKETIME_LIB = '/usr/lib/faultline/libfaketime.so.1';
/** Node names usable in container names. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/;
const IMAGE_OPTION = 'docker-image';

/** What to suggest when the daemon does not answer: the lab's DOCKER_HOST when the lab is up. */
function labHint(): string | undefined {
  const state = readLabState();
  return state && labAlive(state) ? `the faultline Docker lab is up: ${LAB_EXPORT}` : undefined;
}

/** How the node's container runs `launch`: a bundled script with the image's Node.js, a command as the image has it. */
function commandOf(launch: NodeLaunch): string[] {
  return 'script' in launch ? [IMAGE_NODE, `${IMAGE_TREE}/${launch.script}`, ...launch.args] : [imagePathOf(launch.command), ...launch.args];
}

/**
 * The image nodes run: the user's (it must exist in the daemon: faultline pulls nothing), or
 * faultline's node image with every third-party program the launches name.
 */
async function nodeImage(docker: Docker, base: string, launches: readonly NodeLaunch[], options: Readonly<Record<string, string>>, labels: Record<string, string>): Promise<string> {
  const own = options[IMAGE_OPTION];
  if (own !== undefined) {
    try {
      await docker.getImage(own).inspect();
    } catch {
      throw new UserError(`--docker-image ${own}: the daemon has no such image (faultline pulls nothing): docker pull or build it first`);
    }
    return own;
  }
  const bundled = launches.find((l): l is Extract<NodeLaunch, { script: string }> => 'script' in l);
  if (bundled && !existsSync(join(COMPILED_ROOT, bundled.script))) {
    throw new UserError(`--hosts docker runs faultline's compiled tree in containers, and ${join(COMPILED_ROOT, bundled.script)} is missing: run npm run build`);
  }
  const commands = [...new Set(launches.flatMap((l) => ('command' in l ? [l.command] : [])))];
  const extra: ImageFile[] = (await Promise.all(commands.map((c) => commandFiles(c)))).flat();
  return ensureNodeImage(docker, base, COMPILED_ROOT, extra, labels);
}

async function setUp(req: HostRequest): Promise<Hosts> {
  const { spec, system, dirs } = req;
  if (usesLab() && !req.enclave) throw new UserError('the faultline Docker lab\'s containers live in its namespace: start this run with faultline test or check-hosts, which join it');
  const docker = await connectDaemon(labHint());
  // What runs killed with -9 left on this daemon goes first, as `faultline clean` would.
  await cleanDaemon(docker, 'the daemon').catch(() => undefined);
  const id = randomBytes(3).toString('hex');
  const labels = { [LABELS.run]: id, [LABELS.runDir]: dirs.run, [LABELS.harness]: processIdentity(), [LABELS.machine]: hostname() };
  const user = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
  const base = await ensureBaseImage(docker);
  const fleet = await Fleet.create({ docker, id, labels, nodes: spec.nodes, sandboxImage: base, user, signal: req.signal });
  let proxies: NamespaceProxies | undefined;
  try {
    const peerListen = Object.fromEntries(spec.nodes.map((n) => [n, `${fleet.addresses[n]}:${PEER_PORT}`]));
    const namespaces = Object.fromEntries(spec.nodes.map((n) => [n, { ns: fleet.namespaceOf(n), address: fleet.addresses[n] as string }]));
    const env = { [RUN_ENV]: dirs.run, [HARNESS_ENV]: processIdentity() };
    proxies = await NamespaceProxies.start({ lab: { id, nodes: namespaces }, nodes: spec.nodes, dir: dirs.scratch, peerTargets: peerListen, seed: spec.seed, env });
    const placed = place(req, fleet, proxies);
    const launches = placed.map((p) => system.launch(p.plan));
    const image = await nodeImage(docker, base, launches, spec.hostOptions, labels);
    const lib = system.clock === 'faketime' ? findLibfaketime() : undefined;
    if (system.clock === 'faketime' && !lib) throw new UserError(`${system.name} skews clocks with libfaketime, which is not installed here: apt-get install libfaketime`);
    // All at once, as the sandboxes (./fleet.ts): on a loaded daemon each create takes a while.
    await allSettledOrThrow(
      placed.map((p, i) => {
        const launch = launches[i] as NodeLaunch;
        const faketime = system.clock === 'faketime' ? faketimeEnv(p.plan.clockFile, launch.env?.LD_PRELOAD, FAKETIME_LIB) : {};
        return fleet.createNode({
          node: p.plan.id,
          image,
          cmd: commandOf(launch),
          env: { ...launch.env, ...faketime, [RUN_ENV]: dirs.run },
          user,
          binds: [`${join(dirs.scratch, p.plan.id)}:${NODE_DIR}`, ...(lib ? [`${lib}:${FAKETIME_LIB}:ro`] : [])],
        });
      }),
    );
    const cluster = new DockerCluster({
      docker,
      system,
      nodes: placed.map((p) => ({ placed: p, container: fleet.containerOf(p.plan.id), clockFile: join(dirs.scratch, p.plan.id, 'clock') })),
      verify: async (node, pid) => {
        if (!(await processHasEnv(pid, RUN_ENV, dirs.run))) {
          throw new UserError(`the Docker daemon at ${daemonAddress().url} does not run ${node}'s container on this machine (pid ${pid} is not it): --hosts docker needs a daemon on this machine`);
        }
      },
      onCrash: req.onCrash,
    });
    const net = new NetnsNet(
      { id, subnet: fleet.subnet, nodes: namespaces, control: { address: fleet.gateway } },
      proxies,
      { kind: 'docker', flag: '--hosts docker' },
    );
    const started = proxies;
    let down: Promise<void> | undefined;
    return {
      cluster,
      net,
      describe: () => ({ ...net.describe(), daemon: daemonAddress().url, image, network: fleet.network }),
      tearDown: () => (down ??= cluster.teardown().finally(() => started.close().finally(() => fleet.remove()))),
    };
  } catch (err) {
    await proxies?.close();
    await fleet.remove();
    throw err;
  }
}

/** Every node's plan as its container sees it: its address, fixed ports, peers through its proxy, its directory. */
function place(req: HostRequest, fleet: Fleet, proxies: NamespaceProxies): PlacedNode[] {
  const { spec, dirs } = req;
  return spec.nodes.map((id, index): PlacedNode => {
    mkdirSync(join(dirs.scratch, id, 'data'), { recursive: true });
    const address = fleet.addresses[id] as string;
    const plan: NodePlan = {
      id,
      index,
      nodes: spec.nodes,
      dataDir: `${NODE_DIR}/data`,
      peerListen: `${address}:${PEER_PORT}`,
      clientListen: `${address}:${CLIENT_PORT}`,
      peers: Object.fromEntries(spec.nodes.filter((p) => p !== id).map((p) => [p, proxies.peerAddress(id, p)])),
      clockFile: `${NODE_DIR}/clock`,
      bugs: spec.bugs,
      options: spec.clusterOptions,
    };
    return { plan, clientAddress: `${address}:${CLIENT_PORT}`, logFile: dirs.logFile(id) };
  });
}

function check(spec: HostSpec): void {
  if (spec.net !== 'bridge') throw new UserError(`--hosts docker has no --net ${spec.net}: its only mode is bridge`);
  checkLocal(daemonAddress());
  if (process.getuid?.() !== 0) {
    throw new UserError('--hosts docker needs root: faultline enters each container\'s network namespace (nsenter) for partitions, loss and latency');
  }
  const bad = spec.nodes.find((n) => !NODE_NAME.test(n) || n === 'clients');
  if (bad !== undefined) throw new UserError(`--hosts docker: node name '${bad}' cannot name a container (up to 41 letters, digits, _ . -; not clients)`);
}

export const dockerHosts: HostBackend = {
  name: 'docker',
  description: 'each node in a container of a Docker daemon on this machine (DOCKER_HOST), from images built from this machine\'s Node.js without a registry (root)',
  nets: {
    bridge:
      'a bridge network per run with a fixed address per node; partitions and loss as iptables rules in each node\'s namespace, ' +
      'latency by a fault proxy per node there',
  },
  options: {
    [IMAGE_OPTION]: {
      describe: 'Run nodes in this image of the daemon instead of one faultline builds (see the Dockerfile; for third-party systems, an image with their program)',
    },
  },
  check,
  // The daemon is checked here, before the run makes anything, so a missing one is one line.
  async lacks(_spec: HostSpec, system: SystemDef) {
    await connectDaemon(labHint());
    return system.clock === 'faketime' && !findLibfaketime() ? { clock: 'libfaketime, which is not installed: apt-get install libfaketime' } : {};
  },
  enclave: dockerEnclave,
  setUp,
  cleaners: [dockerRunCleaner, dockerLabCleaner],
  lab: dockerLab,
};
