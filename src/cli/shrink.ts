/**
 * `faultline shrink <run-dir>`: find a smaller fault schedule that still makes a failed run
 * fail. It re-runs the same test (spec, seed, cluster, bugs, options) with candidate schedules,
 * each a real run in `<run>/shrink/`, keeps every candidate that still fails, and writes the
 * smallest as `<run>/shrunk-schedule.json` with the command that replays it.
 *
 * How it shrinks, and why this way:
 * - Candidates come from fast-check's shrinker (`Arbitrary.shrink`) on the schedule as a plan
 *   (src/gen/schedule-arbitrary.ts). A `--nemesis random` run is regenerated from its seed, so
 *   its values shrink in each nemesis's own terms; any other run's values are taken as given.
 * - The loop is fast-check's own greedy descent (take the first candidate that still fails,
 *   then shrink that one with its context) written out, rather than `fc.assert` with the
 *   original as an example: fast-check does shrink an example when the arbitrary can shrink
 *   without a context (checked: an `fc.record`/`fc.array` counterexample shrank, a `.map`ped one
 *   did not), but its runner has no run budget, and each property run here is a cluster run of
 *   half a minute, so the budget (`--max-runs`) and the order of candidates matter most.
 * - Hence passes over one dimension at a time, cheapest win first: drop faults, shorten the main
 *   phase, move faults earlier and make them shorter, simplify values; repeated until a whole
 *   round finds nothing smaller that fails. fast-check's own order would binary-search the
 *   first fault's start before it tried dropping the last fault.
 * - Candidates are compared by the schedule they lay out: one already tried is not run again
 *   (a tape byte no nemesis reads changes nothing), and one that equals a failing schedule is
 *   taken without a run. `unknown` counts as not failing. A run that fails only sometimes can
 *   make a candidate look passing; the result is still a schedule that was seen to fail.
 */
import { join } from 'node:path';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import type { Validity } from '../api/checker.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import { layOut, nemesesNamed, planOf, randomPlan, RANDOM, SHRINK_DIMENSIONS, shrinkArbitrary, type FaultSpace, type Plan, type ShrinkDimension } from '../gen/schedule-arbitrary.js';
import { hostBackends, lookup, nemeses as registered } from '../registry.js';
import { ConsoleUi, verdictText } from '../report/console.js';
import { describeFault, plural } from '../report/fault-text.js';
import { readResultsFile } from '../results/read.js';
import type { RunResults } from '../results/schema.js';
import { runTest } from '../runner/run-test.js';
import { loadSavedPlugins } from '../plugin-loader.js';
import { upgradeSpec } from '../runner/saved-spec.js';
import { writeScheduleFile } from '../runner/schedule-file.js';
import { silentUi } from '../runner/ui.js';
import { UserError } from '../user-error.js';
import { onInterrupt } from './interrupt.js';
import { numberOption } from './number-options.js';
import { repeatCommand } from './test.js';

/** One candidate to run. */
export interface Attempt {
  /** 1, 2, ... in the order they run. */
  n: number;
  /** The pass that proposed it, or `start` when the starting schedule is checked. */
  pass: ShrinkDimension | 'start';
  schedule: ScheduleEntry[];
  phaseMs: number;
}

/** How an attempt went. */
export interface AttemptResult {
  valid: Validity;
  /** Its run directory, if it has one. */
  dir?: string;
}

/** Runs one attempt: a real `runTest` in the CLI, a fake in tests. */
export type AttemptRunner = (attempt: Attempt) => Promise<AttemptResult>;

/** Why shrinking stopped. */
export type ShrinkStop = 'minimal' | 'budget' | 'interrupted' | 'start-passed';

export interface ShrinkLoopOptions {
  start: Plan;
  space: FaultSpace;
  /** Whether `start` is known to fail (the recorded run itself); otherwise it is run first. */
  startFails: boolean;
  run: AttemptRunner;
  /** Most attempts to run. */
  maxRuns: number;
  signal?: AbortSignal;
}

export interface ShrinkOutcome {
  /** The smallest plan seen to fail (the start when nothing smaller did). */
  smallest: Plan;
  /** Its schedule entries. */
  schedule: ScheduleEntry[];
  runs: number;
  stopped: ShrinkStop;
  /**
   * Whether an attempt of this shrink failed, so `smallest` is a schedule seen to fail here. The
   * recorded run's failure alone does not count: a failure that no attempt repeats may need a
   * timing the schedule does not capture, and reporting it as shrunk would be a guess.
   */
  proven: boolean;
}

/** Shrink `start` within the budget; see the header for the method. */
export async function shrinkPlan(o: ShrinkLoopOptions): Promise<ShrinkOutcome> {
  const tried = new Map<string, boolean>();
  const keyOf = (plan: Plan): string => JSON.stringify([plan.phaseMs, layOut(plan, o.space)]);
  let runs = 0;
  let failures = 0;
  let current = o.start;
  const outcome = (stopped: ShrinkStop): ShrinkOutcome => ({ smallest: current, schedule: layOut(current, o.space), runs, stopped, proven: failures > 0 });

  /** Whether `plan` fails: remembered by its schedule, else run; `undefined` when no run is left. */
  async function fails(plan: Plan, pass: Attempt['pass']): Promise<boolean | undefined> {
    const key = keyOf(plan);
    const known = tried.get(key);
    if (known !== undefined) return known;
    if (runs >= o.maxRuns || o.signal?.aborted) return undefined;
    runs++;
    const { valid } = await o.run({ n: runs, pass, schedule: layOut(plan, o.space), phaseMs: plan.phaseMs });
    tried.set(key, valid === false);
    if (valid === false) failures++;
    return valid === false;
  }

  if (o.startFails) tried.set(keyOf(current), true);
  else {
    const failed = await fails(current, 'start');
    if (failed !== true) return outcome(failed === false ? 'start-passed' : o.signal?.aborted ? 'interrupted' : 'budget');
  }
  for (let progress = true; progress; ) {
    progress = false;
    for (const pass of SHRINK_DIMENSIONS) {
      const before = keyOf(current);
      const arbitrary = shrinkArbitrary(current, pass, o.space);
      let candidates = arbitrary.shrink(current, undefined);
      descend: for (;;) {
        for (const candidate of candidates) {
          const failed = await fails(candidate.value_, pass);
          if (failed === undefined) return outcome(o.signal?.aborted ? 'interrupted' : 'budget');
          if (failed) {
            current = candidate.value_;
            candidates = arbitrary.shrink(candidate.value_, candidate.context);
            continue descend;
          }
        }
        break;
      }
      if (keyOf(current) !== before) progress = true;
    }
  }
  return outcome('minimal');
}

const STOP_TEXT: Readonly<Record<ShrinkStop, string>> = {
  minimal: 'no smaller schedule fails',
  budget: 'run budget spent',
  interrupted: 'interrupted',
  'start-passed': 'the start did not fail',
};


/** What to shrink and how hard. */
export interface ShrinkRequest {
  runDir: string;
  maxRuns: number;
  /** Main phase of each attempt in seconds; the original's when absent. */
  timeLimitS?: number;
}

export interface ShrinkDeps {
  /** Runs an attempt; a real run under `<run>/shrink/` when absent. */
  run?: AttemptRunner;
  /** Progress lines. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  verbose?: boolean;
}

export interface ShrunkRun {
  outcome: ShrinkOutcome;
  /** The schedule file written. */
  file: string;
  /** The command that replays it. */
  command: string;
}

/** The results of a failed run. @throws UserError for anything else. */
function readFailedRun(runDir: string): RunResults {
  let results: RunResults;
  try {
    results = readResultsFile(join(runDir, 'results.json'));
  } catch {
    throw new UserError(`${runDir} has no readable results.json: give the directory of a finished run (faultline report rebuilds a missing one)`);
  }
  if (results.valid !== false) {
    throw new UserError(`${runDir} did not fail (verdict ${String(results.valid)}): shrink needs a run whose verdict is INVALID`);
  }
  const spec = upgradeSpec(results.spec);
  if (lookup('hosts', hostBackends, spec.hosts).enclave?.needed(spec)) {
    throw new UserError(`shrink cannot yet re-run tests whose harness side must run in an enclave (this run: --hosts ${spec.hosts} --net ${spec.net}); shrink a failing run of the same test with --net proxy`);
  }
  return { ...results, spec };
}

/**
 * Where shrinking starts: a `random` run's plan regenerated from its seed when it lays out the
 * recorded schedule exactly, otherwise the recorded schedule with its values given.
 */
function startingPlan(spec: TestSpec, recorded: readonly ScheduleEntry[], space: FaultSpace): Plan {
  const given = planOf(recorded, spec.timeLimitS * 1000);
  if (!spec.nemeses.includes(RANDOM)) return given;
  const regenerated = randomPlan(spec, Object.values(registered));
  return JSON.stringify(layOut(regenerated, space)) === JSON.stringify(recorded) ? regenerated : given;
}

/**
 * Most faults a schedule may have to be shrunk: far more than a shrink's few dozen runs can
 * narrow down, and few enough for the shrinking arbitraries, which take one argument per fault.
 */
export const MAX_SHRINK_FAULTS = 10_000;

/** Shrink the schedule of the failed run in `req.runDir` and write the smallest failing one. */
export async function shrinkRun(req: ShrinkRequest, deps: ShrinkDeps = {}): Promise<ShrunkRun> {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { spec, schedule: recorded } = readFailedRun(req.runDir);
  await loadSavedPlugins(spec.plugins);
  const named = nemesesNamed(recorded);
  const space: FaultSpace = { nodes: spec.nodes, nemeses: Object.values(registered).filter((def) => named.includes(def.name)) };
  const original = startingPlan(spec, recorded, space);
  if (original.faults.length > MAX_SHRINK_FAULTS) {
    throw new UserError(`the schedule of ${req.runDir} has ${plural(original.faults.length, 'fault')}; shrink handles up to ${MAX_SHRINK_FAULTS.toLocaleString('en')}: cut it down by hand first (faultline test --schedule)`);
  }
  const phaseMs = Math.round((req.timeLimitS ?? spec.timeLimitS) * 1000);
  const start: Plan = { ...original, phaseMs };
  const inForce = nemesesNamed(layOut(start, space));
  const startFails = phaseMs === original.phaseMs && JSON.stringify(layOut(start, space)) === JSON.stringify(recorded);
  const faults = (s: readonly ScheduleEntry[]): string => plural(s.filter((e) => e.f.startsWith('start-')).length, 'fault');
  log(`shrinking ${faults(recorded)} (${named.join(', ') || 'none'}) of ${req.runDir}, at most ${req.maxRuns} runs`);

  const run = deps.run ?? realAttempts(spec, req.runDir, inForce, deps);
  const outcome = await shrinkPlan({
    start,
    space,
    startFails,
    maxRuns: req.maxRuns,
    ...(deps.signal && { signal: deps.signal }),
    run: async (attempt) => {
      log(`attempt ${attempt.n} (${attempt.pass}): ${faults(attempt.schedule)}, ${attempt.phaseMs / 1000} s main phase …`);
      const result = await run(attempt);
      log(`attempt ${attempt.n}: ${verdictText(result.valid)}${result.valid === false ? ', kept' : ''}${result.dir ? chalk.dim(` ${result.dir}`) : ''}`);
      return result;
    },
  });
  if (!outcome.proven) {
    if (outcome.stopped === 'start-passed') {
      throw new UserError(`the recorded schedule did not fail again with a ${phaseMs / 1000} s main phase; shrink needs a failure it can repeat (try without --time-limit)`);
    }
    if (outcome.runs === 0) throw new UserError('shrink was interrupted before any attempt ran; nothing written');
    const tried = outcome.stopped === 'interrupted' ? `none of the ${plural(outcome.runs, 'attempt')} before the interrupt failed` : `none of its ${plural(outcome.runs, 'attempt')} failed`;
    throw new UserError(
      `could not reproduce the failure: ${tried}, so there is no failing schedule to report and nothing was written; the failure may depend on timing: try again with more runs (--max-runs ${2 * req.maxRuns})`,
    );
  }
  const file = join(req.runDir, 'shrunk-schedule.json');
  const names = nemesesNamed(outcome.schedule);
  writeScheduleFile(file, { nemeses: names, entries: outcome.schedule });
  const replay: TestSpec = { ...spec, nemeses: names, schedule: outcome.schedule, timeLimitS: outcome.smallest.phaseMs / 1000 };
  const command = repeatCommand(replay, req.runDir, file);
  const why = STOP_TEXT[outcome.stopped];
  log(`smallest failing schedule: ${faults(outcome.schedule)} (from ${faults(recorded)}), ${replay.timeLimitS} s main phase, after ${plural(outcome.runs, 'run')} (${why})`);
  for (const e of outcome.schedule) log(`  ${(e.atMs / 1000).toFixed(3).padStart(8)} s  ${describeFault(e.f, e.value)}`);
  log(`wrote ${file}`);
  return { outcome, file, command };
}

/** Attempts as real runs of `spec` with the candidate schedule, in `<run>/shrink/`. */
function realAttempts(spec: TestSpec, runDir: string, inForce: string[], deps: ShrinkDeps): AttemptRunner {
  const interrupt = deps.signal ?? new AbortController().signal;
  return async ({ n, schedule, phaseMs }) => {
    const attempt: TestSpec = { ...spec, name: `attempt-${n}`, nemeses: inForce, schedule, timeLimitS: phaseMs / 1000, resultsRoot: join(runDir, 'shrink') };
    const ui = deps.verbose ? new ConsoleUi(true) : silentUi;
    const run = await runTest({ spec: attempt, command: (dir) => repeatCommand(attempt, dir), ui, interrupt });
    return { valid: run.results.valid, dir: run.runDir };
  };
}

interface ShrinkArgs {
  run: string;
  'max-runs': number;
  'time-limit'?: number;
  verbose?: boolean;
}

export const shrinkCommand: CommandModule<object, ShrinkArgs> = {
  command: 'shrink <run>',
  describe: 'Re-run a failed test with smaller fault schedules; write the smallest that still fails',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'The directory of a failed run' })
      .option('max-runs', { type: 'number', default: 20, describe: 'Most test runs to spend' })
      .option('time-limit', { type: 'number', describe: 'Seconds of main phase per attempt (default: the run\'s own)' }) as never,
  handler: async (args) => {
    const maxRuns = numberOption('max-runs', args['max-runs']);
    const timeLimitS = args['time-limit'] === undefined ? undefined : numberOption('time-limit', args['time-limit']);
    const interrupt = onInterrupt(() => process.stderr.write(chalk.yellow('\n! interrupted: finishing this attempt\'s teardown, then writing the smallest schedule so far\n')));
    try {
      const shrunk = await shrinkRun(
        { runDir: args.run, maxRuns, ...(timeLimitS !== undefined && { timeLimitS }) },
        { signal: interrupt.signal, verbose: args.verbose === true },
      );
      process.stdout.write(`replay: ${shrunk.command}\n`);
    } finally {
      interrupt.dispose();
    }
  },
};
