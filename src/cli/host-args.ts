/**
 * The options that say where nodes run, shared by `faultline test` and `faultline check-hosts`:
 * `--hosts`, `--net` (a mode of that backend, its first by default), `--nodes` (a count or
 * names; the backend's inventory, or 5, by default) and every backend's own options.
 */
import type { Argv } from 'yargs';
import type { HostBackend } from '../api/host.js';
import { DEFAULT_HOSTS, hostBackends, lookup } from '../registry.js';
import { nodeNames, parseNodes } from '../runner/node-names.js';

/** Nodes when neither `--nodes` nor an inventory says. */
const DEFAULT_NODES = 5;

/** Every host backend option (e.g. --hosts-file), offered once whichever backends declare it. */
function hostOptionNames(): string[] {
  return [...new Set(Object.values(hostBackends).flatMap((b) => Object.keys(b.options ?? {})))];
}

/** The values of the options named `names` that were given. */
export function given(argv: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (argv[name] !== undefined) out[name] = String(argv[name]);
  return out;
}

/** Add `--hosts`, `--net`, `--nodes` and every backend's options to a command. */
export function hostOptions<T>(y: Argv<T>): Argv<T> {
  let out = y
    .option('nodes', { type: 'string', describe: `Number of nodes (n1..nN) or their names, comma-separated (default ${DEFAULT_NODES}, or the host backend's inventory)` })
    .option('hosts', { type: 'string', default: DEFAULT_HOSTS, describe: `Where nodes run: ${Object.keys(hostBackends).join(', ')} (faultline list)` })
    .option('net', {
      type: 'string',
      choices: [...new Set(Object.values(hostBackends).flatMap((b) => Object.keys(b.nets)))],
      describe: 'Network control, a mode of the host backend; for local: proxy (fault proxy on 127.0.0.1, the default) or netns (a network namespace per node, nft partitions; root only)',
    }) as Argv<T>;
  for (const name of hostOptionNames()) {
    const owners = Object.values(hostBackends).filter((b) => b.options?.[name]);
    out = out.option(name, { type: 'string', describe: `${owners[0]?.options?.[name]?.describe ?? ''} (--hosts ${owners.map((b) => b.name).join(', ')})` }) as Argv<T>;
  }
  return out;
}

/** The `--net` mode a backend uses when none is given: its first. */
export function defaultNet(hosts: string): string {
  return Object.keys(lookup('hosts', hostBackends, hosts).nets)[0] as string;
}

/** Where the nodes of a command run, from its arguments (unchecked against the backend: `check` does that). */
export function hostsFromArgs(argv: Record<string, unknown>): { backend: HostBackend; nodes: string[]; net: string; hostOptions: Record<string, string> } {
  const backend = lookup('hosts', hostBackends, String(argv.hosts ?? DEFAULT_HOSTS));
  // Every backend's options, not only this one's: resolving refuses one the backend lacks.
  const options = given(argv, hostOptionNames());
  const nodes = argv.nodes !== undefined ? parseNodes(String(argv.nodes)) : [...(backend.inventory?.(options) ?? nodeNames(DEFAULT_NODES))];
  return { backend, nodes, net: argv.net !== undefined ? String(argv.net) : defaultNet(backend.name), hostOptions: options };
}
