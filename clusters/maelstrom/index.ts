/**
 * maelstrom: any program that speaks Maelstrom's stdin/stdout JSON protocol, run as a faultline
 * cluster. Each node is a shim (./node.ts) on the shared node runtime that starts the program
 * named by `--maelstrom-bin`, initialises it, carries its messages to the other nodes over
 * faultline's real network, and serves faultline's clients as Maelstrom clients (./client.ts).
 *
 * Workloads: Maelstrom's `lin-kv` serves faultline's `register` (checked for linearizability);
 * `g-counter` and `pn-counter` serve `counter` (run it with `--counter-reads eventual` for the
 * eventually consistent counters Maelstrom asks for); `g-set` serves `set` (one set: run it with
 * `--key-count 1`); `txn-list-append` serves `list-append` (checked by elle); `broadcast`,
 * `unique-ids` and `echo` serve the faultline workloads of the same names. Nodes may send
 * requests to Maelstrom's services (`lin-kv`, `seq-kv`, `lww-kv`, `lin-tso`): the harness runs
 * one instance of each per run (./service-host.ts).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import type { TestSpec } from '../../src/api/test-spec.js';
import { planProgram } from '../../src/node/entry.js';
import { clusterStatuses, everyNodeAnswers } from '../../src/node/kv/probe.js';
import { isExecutable } from './binary.js';
import { serviceHost } from './service-host.js';
import { hubOf } from './hub.js';
import { broadcast, counter, echo, gSet, linKv, maelstromClient, txnListAppend, uniqueIds } from './client.js';

const BIN = 'maelstrom-bin';
const ARGS = 'maelstrom-args';
/** Not a user option: how launch() tells each shim where the run's service host listens. */
const SERVICES = 'maelstrom-services';

/** The program a run names, as an absolute path (the shim may run in another directory). */
const program = (options: Readonly<Record<string, unknown>>): string => {
  const bin = String(options[BIN] ?? '');
  return bin === '' ? '' : resolve(bin);
};

function check(spec: TestSpec): void {
  const given = spec.clusterOptions[BIN];
  if (given === undefined || given === '') throw new Error(`name the Maelstrom node program with --${BIN} <path> (any executable: a binary, or a script with a #! line)`);
  const path = program(spec.clusterOptions);
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    throw new Error(`--${BIN} ${given}: no such file; give the path of the node program`);
  }
  if (!file) throw new Error(`--${BIN} ${given} is not a file; give the path of the node program`);
  if (!isExecutable(path)) throw new Error(`--${BIN} ${given} is not executable: chmod +x it (a script needs a #! line too)`);
  if (spec.workload === 'set' && spec.keyCount !== 1) throw new Error(`Maelstrom's g-set is one set per cluster: run the set workload with --key-count 1 (not ${spec.keyCount})`);
  if (spec.hosts !== 'local') throw new Error(`the Maelstrom node program is on this machine, so it runs with --hosts local only (not --hosts ${spec.hosts})`);
}

/** The shim of one node, told the program's absolute path and the socket of the run's service host (one per run: its scratch directory). */
function launch(plan: NodePlan) {
  const services = serviceHost(dirname(plan.dataDir));
  return planProgram(new URL('./node.js', import.meta.url), { ...plan, options: { ...plan.options, [BIN]: program(plan.options), [SERVICES]: services } });
}

/** The hub of the nodes' recent traffic (./hub.ts), faultline's stand-in for a primary; undefined when none stands out. */
async function primary(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined> {
  const statuses = (await clusterStatuses(cluster, signal)) as unknown as ({ traffic?: Record<string, number> } | undefined)[];
  return hubOf(Object.fromEntries(cluster.nodes.map((node, i) => [node, statuses[i]?.traffic])));
}

export const maelstrom: SystemDef = {
  name: 'maelstrom',
  description:
    'Any Maelstrom-protocol node program (--maelstrom-bin), each node behind a shim that carries its messages over faultline\'s network; ' +
    'register = Maelstrom lin-kv, counter = g-counter / pn-counter (with --counter-reads eventual), set = g-set (with --key-count 1), broadcast, ' +
    'list-append = txn-list-append, unique-ids, echo; nodes may use the lin-kv, seq-kv, lww-kv and lin-tso services',
  bugs: {},
  options: {
    [BIN]: { describe: 'the Maelstrom node program to run on every node: a binary, or a script with a #! line (required)', default: '' },
    [ARGS]: { describe: 'arguments for the node program, separated by spaces', default: '' },
  },
  lacks: {
    clock:
      'the node program may be written in anything, and libfaketime, the one way to skew the clock of an arbitrary program, ' +
      "is ignored by Go binaries and breaks Python's time.sleep, so its clock cannot be skewed",
  },
  check,
  clients: {
    register: maelstromClient(linKv),
    counter: maelstromClient(counter),
    set: maelstromClient(gSet),
    broadcast: maelstromClient(broadcast),
    'list-append': maelstromClient(txnListAppend),
    'unique-ids': maelstromClient(uniqueIds),
    echo: maelstromClient(echo),
  },
  launch,
  ready: everyNodeAnswers,
  primary,
};

export default maelstrom;
