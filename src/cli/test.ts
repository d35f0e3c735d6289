/** `faultline test`: run one chaos test end to end and exit with its verdict. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import chalk from 'chalk';
import yargs, { type Argv, type CommandModule } from 'yargs';
import type { TestSpec } from '../api/test-spec.js';
import { DEFAULT_HOSTS, hostBackends, lookup, systems, workloads } from '../registry.js';
import { ConsoleUi } from '../report/console.js';
import { joinEnclave, needsEnclave, parentGone, releaseIfOrphaned, runInEnclave } from '../runner/enclave-run.js';
import { nodesArgument } from '../runner/node-names.js';
import { resolveTest } from '../runner/resolve.js';
import { runTest } from '../runner/run-test.js';
import { readScheduleFile } from '../runner/schedule-file.js';
import { UserError } from '../user-error.js';
import { defaultNet, given, hostOptions, hostsFromArgs } from './host-args.js';
import { onInterrupt } from './interrupt.js';
import { maxMemoryOption, parseMemorySize } from './memory-size.js';
import { numberOption } from './number-options.js';
import { requireValues } from './option-values.js';

/** Plug-ins that declare options: systems (--read-mode) and workloads (--readers). */
interface DeclaresOptions {
  readonly name: string;
  readonly options?: Readonly<Record<string, { describe: string; default: number | string }>>;
}

/** Each option name any of `defs` declares, with the defs that declare it: offered once, whoever declares it. */
export function declaredOptions(defs: readonly DeclaresOptions[]): Map<string, DeclaresOptions[]> {
  const out = new Map<string, DeclaresOptions[]>();
  for (const def of defs) for (const name of Object.keys(def.options ?? {})) out.set(name, [...(out.get(name) ?? []), def]);
  return out;
}

const systemOptions = (): Map<string, DeclaresOptions[]> => declaredOptions(Object.values(systems));
const workloadOptions = (): Map<string, DeclaresOptions[]> => declaredOptions(Object.values(workloads));

/**
 * The names of a list option (`--nemesis kill,pause`, `--bug a --bug b`): split on commas and
 * trimmed; `none` alone means an empty list. An empty name, `none` beside others and a name given
 * twice are mistakes, refused rather than quietly dropped.
 */
function nameList(option: string, value: string | string[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const items = values.flatMap((v) => String(v).split(',')).map((v) => v.trim());
  if (items.includes('')) throw new UserError(`--${option} has an empty name: give names separated by single commas${option === 'nemesis' ? ', or none for no faults' : ''}`);
  if (items.includes('none')) {
    if (items.length > 1) throw new UserError(`--${option} none means no ${option === 'nemesis' ? 'faults' : 'bugs'}; it cannot go with ${items.filter((i) => i !== 'none').join(', ')}`);
    return [];
  }
  const twice = items.find((item, i) => items.indexOf(item) !== i);
  if (twice !== undefined) throw new UserError(`--${option} names ${twice} twice; give each once`);
  return items;
}

/** Most fault operations a generated schedule may hold. */
const MAX_FAULTS = 100_000;
/** Longest --name: it becomes part of a directory name (255 bytes at most, a timestamp included). */
const MAX_NAME = 200;

/** The run's name: `--name` if given (not empty, not too long for a directory name), else made from the test. */
function runName(name: unknown, made: string): string {
  if (name === undefined) return made;
  const text = String(name);
  if (text.trim() === '') throw new UserError('--name is empty: give a name, or leave --name out for one made from the test');
  if (text.length > MAX_NAME) throw new UserError(`--name is ${text.length} characters long; give at most ${MAX_NAME}`);
  return text;
}

/** A run must be able to do what it was asked: at least one operation, a schedule of sane size. */
function checkFeasible(spec: TestSpec, generated: boolean): void {
  const runS = spec.timeLimitS + spec.recoveryS;
  if (spec.rate * runS < 1) {
    throw new UserError(`--rate ${spec.rate} would not issue a single operation in a ${runS} s run: give at least ${Number((1 / runS).toPrecision(2))} operations per second`);
  }
  const faults = spec.timeLimitS / spec.nemesisIntervalS;
  if (generated && spec.nemeses.length > 0 && faults > MAX_FAULTS) {
    throw new UserError(`--time-limit ${spec.timeLimitS} with --nemesis-interval ${spec.nemesisIntervalS} would schedule about ${Math.round(faults)} faults, more than ${MAX_FAULTS}: raise --nemesis-interval`);
  }
}

/** Defaults of the options that shape a run; the repeat command states any that differ. */
const RUN_DEFAULTS = {
  'recovery-time': 5,
  rate: 100,
  'nemesis-interval': 3,
  'op-timeout': 2000,
  'key-count': 3,
  'ops-per-key': 30,
} as const;

const builder = (y: Argv) => {
  let out = y
    .option('cluster', { alias: 'c', type: 'string', default: 'raft-kv', describe: 'System under test (faultline list)' })
    .option('workload', { alias: 'w', type: 'string', default: 'register', describe: 'Workload' })
    .option('nemesis', { alias: 'n', type: 'string', default: 'partition', describe: 'Faults, comma-separated, or none, or random (a generated schedule over every nemesis)' })
    .option('bug', { type: 'string', array: true, default: [] as string[], describe: 'Switch on a known bug of the system (repeatable)' })
    .option('concurrency', { type: 'number', default: 10, describe: 'Concurrent client threads' })
    .option('time-limit', { type: 'number', default: 30, describe: 'Seconds of workload with faults' })
    .option('recovery-time', { type: 'number', default: RUN_DEFAULTS['recovery-time'], describe: 'Seconds of fault-free workload after the final heal' })
    .option('seed', { type: 'number', describe: 'Seed for operations and schedule (random when omitted; always printed)' })
    .option('rate', { type: 'number', default: RUN_DEFAULTS['rate'], describe: 'Target client operations per second, all threads together' })
    .option('nemesis-interval', { type: 'number', default: RUN_DEFAULTS['nemesis-interval'], describe: 'Mean seconds between fault operations' })
    .option('op-timeout', { type: 'number', default: RUN_DEFAULTS['op-timeout'], describe: 'Client operation timeout in ms (then recorded as info)' })
    .option('key-count', { type: 'number', default: RUN_DEFAULTS['key-count'], describe: 'Keys in use at once' })
    .option('ops-per-key', { type: 'number', default: RUN_DEFAULTS['ops-per-key'], describe: 'Operations per key per thread before fresh keys' })
    .option('checker-timeout', { type: 'number', default: 120, describe: 'Seconds before a checker gives up (unknown)' })
    .option('max-memory', maxMemoryOption)
    .option('results-dir', { type: 'string', default: 'results', describe: 'Where run directories go' })
    .option('name', { type: 'string', describe: 'Run name (default: cluster-workload-nemeses)' })
    .option('schedule', { type: 'string', describe: 'Replay the fault schedule in this file (a run\'s schedule.json)' })
    .option('junit', { type: 'string', describe: 'Also write the JUnit XML verdict to this file (the run directory always has junit.xml)' });
  out = hostOptions(out);
  const groups = [
    ['System options:', systemOptions()],
    ['Workload options:', workloadOptions()],
  ] as const;
  for (const [group, options] of groups) {
    for (const [name, owners] of options) {
      const first = owners[0]?.options?.[name];
      const describe = `${first?.describe ?? ''} (${owners.map((s) => s.name).join(', ')}; default ${first?.default})`;
      out = out.option(name, { type: first !== undefined && 'flag' in first && first.flag ? 'boolean' : 'string', group, describe });
    }
  }
  return out;
};

interface TestArgs {
  cluster: string;
  workload: string;
  nemesis: string;
  bug: string[];
  nodes?: string;
  concurrency: number;
  'time-limit': number;
  'recovery-time': number;
  seed?: number;
  rate: number;
  'nemesis-interval': number;
  'op-timeout': number;
  'key-count': number;
  'ops-per-key': number;
  'checker-timeout': number;
  'max-memory'?: string;
  'results-dir': string;
  name?: string;
  schedule?: string;
  junit?: string;
  hosts: string;
  net?: string;
  verbose?: boolean;
  /** Entry files of the loaded plug-ins (./plugin-args.ts made them absolute). */
  plugin?: string[];
  /** System options such as read-mode, host backend options such as hosts-file. */
  [option: string]: unknown;
}

/**
 * The spec `faultline test <args>` would run, defaults filled in and checked as the command checks
 * them: for commands that run tests of their own (`faultline matrix`) through the same options.
 * @throws UserError for arguments `faultline test` would refuse
 */
export async function testSpecFor(args: readonly string[]): Promise<TestSpec> {
  const parser = requireValues(builder(yargs().option('plugin', { type: 'string', array: true })))
    .strict()
    .exitProcess(false)
    .fail((msg: string, err: unknown) => {
      throw err ?? new UserError(`faultline test ${args.join(' ')}: ${msg}`);
    });
  return specFromArgs((await parser.parseAsync([...args])) as unknown as TestArgs);
}

export function specFromArgs(argv: TestArgs): TestSpec {
  // yargs collects a repeated option into an array; only --bug and --nemesis are lists.
  for (const [name, value] of Object.entries(argv)) {
    // (Each option also appears camelCased and under its one-letter alias; name it once.)
    if (Array.isArray(value) && name.length > 1 && !/[A-Z]/.test(name) && !['bug', 'nemesis', 'plugin', '_'].includes(name)) {
      throw new UserError(`--${name} was given ${value.length} times; give it once`);
    }
  }
  const cluster = argv.cluster;
  const replay = argv.schedule !== undefined ? readScheduleFile(argv.schedule) : undefined;
  if (replay && process.argv.some((a) => a === '--nemesis' || a.startsWith('--nemesis=') || a === '-n')) {
    throw new UserError('--schedule names its own nemeses; leave out --nemesis');
  }
  const nemeses = replay ? replay.nemeses : nameList('nemesis', argv.nemesis);
  const bugs = nameList('bug', argv.bug);
  // Every system's and workload's options, not only this run's: resolveTest refuses one the
  // system or workload lacks.
  const clusterOptions = given(argv, [...systemOptions().keys()]);
  const workloadOptionsGiven = given(argv, [...workloadOptions().keys()]);
  const { backend, nodes, net, hostOptions: hostArgs } = hostsFromArgs(argv);
  const seed = argv.seed ?? Math.floor(Math.random() * 1_000_000);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UserError(`--seed must be a whole number from 0 to 2^53, not '${argv.seed}'`);
  const spec: TestSpec = {
    name: runName(argv.name, [cluster, argv.workload, ...nemeses, ...bugs.map((b) => `bug-${b}`)].join('-')),
    cluster,
    workload: argv.workload,
    ...(Object.keys(workloadOptionsGiven).length > 0 && { workloadOptions: workloadOptionsGiven }),
    nemeses,
    bugs,
    clusterOptions,
    nodes,
    concurrency: numberOption('concurrency', argv.concurrency),
    timeLimitS: numberOption('time-limit', argv['time-limit']),
    recoveryS: numberOption('recovery-time', argv['recovery-time']),
    seed,
    rate: numberOption('rate', argv.rate),
    nemesisIntervalS: numberOption('nemesis-interval', argv['nemesis-interval']),
    opTimeoutMs: numberOption('op-timeout', argv['op-timeout']),
    keyCount: numberOption('key-count', argv['key-count']),
    opsPerKey: numberOption('ops-per-key', argv['ops-per-key']),
    checkerTimeoutS: numberOption('checker-timeout', argv['checker-timeout']),
    ...(argv['max-memory'] !== undefined && { checkerMaxMemoryBytes: parseMemorySize(argv['max-memory']) }),
    resultsRoot: argv['results-dir'],
    ...(replay && { schedule: replay.entries }),
    hosts: backend.name,
    net,
    hostOptions: hostArgs,
    ...(argv.plugin?.length && { plugins: [...new Set(argv.plugin)] }),
  };
  checkFeasible(spec, !replay);
  return spec;
}

/** The command line that repeats a run, seed included; a replayed schedule is read from `scheduleFile`. */
export function repeatCommand(spec: TestSpec, runDir: string, scheduleFile = join(runDir, 'schedule.json')): string {
  const parts = ['faultline test', ...(spec.plugins ?? []).map((p) => `--plugin ${p}`), `--cluster ${spec.cluster}`, `--workload ${spec.workload}`];
  if (!spec.schedule) parts.push(`--nemesis ${spec.nemeses.join(',') || 'none'}`);
  for (const bug of spec.bugs) parts.push(`--bug ${bug}`);
  for (const [k, v] of Object.entries(spec.clusterOptions)) parts.push(`--${k} ${v}`);
  const declared = workloads[spec.workload]?.options ?? {};
  for (const [k, v] of Object.entries(spec.workloadOptions ?? {})) if (String(v) !== String(declared[k]?.default)) parts.push(`--${k} ${v}`);
  parts.push(`--nodes ${nodesArgument(spec.nodes)}`, `--concurrency ${spec.concurrency}`, `--time-limit ${spec.timeLimitS}`, `--seed ${spec.seed}`);
  const shaping: Record<keyof typeof RUN_DEFAULTS, number> = {
    'recovery-time': spec.recoveryS,
    rate: spec.rate,
    'nemesis-interval': spec.nemesisIntervalS,
    'op-timeout': spec.opTimeoutMs,
    'key-count': spec.keyCount,
    'ops-per-key': spec.opsPerKey,
  };
  for (const [option, value] of Object.entries(shaping)) {
    if (value !== RUN_DEFAULTS[option as keyof typeof RUN_DEFAULTS]) parts.push(`--${option} ${value}`);
  }
  if (spec.hosts !== DEFAULT_HOSTS) parts.push(`--hosts ${spec.hosts}`);
  if (spec.net !== defaultNet(spec.hosts)) parts.push(`--net ${spec.net}`);
  for (const [k, v] of Object.entries(spec.hostOptions)) parts.push(`--${k} ${v}`);
  if (spec.schedule) parts.push(`--schedule ${scheduleFile}`);
  return parts.join(' ');
}

/** The `--junit` file, checked before the run: its directory must exist. */
export function junitFile(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UserError('--junit needs a file path, given once');
  const dir = dirname(resolve(value));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--junit ${value}: directory ${dir} does not exist`);
  return value;
}

export const testCommand: CommandModule<object, TestArgs> = {
  command: 'test',
  describe: 'Start a cluster, run a workload with faults, check the history',
  builder: builder as never,
  handler: async (argv) => {
    const spec = specFromArgs(argv);
    const junitPath = junitFile(argv.junit);
    const backend = lookup('hosts', hostBackends, spec.hosts);
    if (needsEnclave(spec, backend)) {
      resolveTest(spec); // Bad names, bugs or schedules fail here, before anything exists.
      // This process only manages the enclave; the test runs in a child inside it.
      process.exitCode = await runInEnclave(backend, spec);
      return;
    }
    const enclave = joinEnclave(backend);
    const ui = new ConsoleUi(argv.verbose === true);
    const interrupt = onInterrupt(() => process.stderr.write(chalk.yellow('\n! interrupted: healing faults and stopping nodes (Ctrl-C again to force)\n')));
    const orphaned = parentGone();
    const stop = orphaned ? AbortSignal.any([interrupt.signal, orphaned]) : interrupt.signal;
    try {
      const run = await runTest({
        spec,
        command: (runDir) => repeatCommand(spec, runDir),
        ui,
        interrupt: stop,
        ...(enclave && { enclave }),
        ...(junitPath !== undefined && { junitPath }),
      });
      process.exitCode = run.exitCode;
    } finally {
      interrupt.dispose();
      await releaseIfOrphaned(enclave, orphaned);
    }
  },
};
