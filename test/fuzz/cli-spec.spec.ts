/**
 * Fuzzing how `faultline test` turns arguments into a test: yargs with the command's own
 * options, then `specFromArgs`, then `resolveTest`. Any argument list, sensible or not, must end
 * in a spec that keeps every bound the runner relies on, or in an error the CLI prints as one
 * line (a UserError, or a yargs usage error); never in a crash.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import yargs, { type Argv } from 'yargs';
import type { TestSpec } from '../../src/api/test-spec.js';
import { NUMBERS } from '../../src/cli/number-options.js';
import { testCommand, specFromArgs } from '../../src/cli/test.js';
import { runCli } from '../helpers/cli.js';
import { nemeses, systems, workloads } from '../../src/registry.js';
import { resolveTest } from '../../src/runner/resolve.js';
import { UserError } from '../../src/user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const goodSchedule = join(dir, 'good.json');
writeFileSync(goodSchedule, JSON.stringify({ nemeses: ['partition'], entries: [{ atMs: 100, f: 'stop-partition' }] }));
const badSchedule = join(dir, 'bad.json');
writeFileSync(badSchedule, '{"nemeses": ');

/** A yargs usage error (unknown option, bad choice): printed as one line by main.ts. */
class UsageError extends Error {}

async function parse(args: string[]): Promise<Parameters<typeof specFromArgs>[0]> {
  const builder = testCommand.builder as unknown as (y: Argv) => Argv;
  const argv = await builder(yargs(args))
    .strict()
    .exitProcess(false)
    .fail((msg: string, err: unknown) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync();
  return argv as unknown as Parameters<typeof specFromArgs>[0];
}

const numbers = fc.constantFrom('0', '-1', '1', '2', '3', '1.5', '5', '30', '1e9', '1e20', 'abc', 'NaN', 'Infinity', '1e400', '', '0x10', ' 7 ');
const numeric = ['nodes', 'concurrency', 'time-limit', 'recovery-time', 'seed', 'rate', 'nemesis-interval', 'op-timeout', 'key-count', 'ops-per-key', 'checker-timeout'];
const pair: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.tuple(fc.constantFrom(...numeric.map((o) => `--${o}`)), numbers),
  fc.tuple(fc.constant('--cluster'), fc.constantFrom('raft-kv', 'memory-kv', 'raft-vk', '')),
  fc.tuple(fc.constant('--workload'), fc.constantFrom('register', 'regster')),
  fc.tuple(fc.constant('--nemesis'), fc.constantFrom('none', 'partition', 'kill,pause', 'partition,meteor', 'clock', '')),
  fc.tuple(fc.constant('--bug'), fc.constantFrom('stale-read', 'no-fsync-vote', 'nope')),
  fc.tuple(fc.constant('--read-mode'), fc.constantFrom('lease', 'log', 'psychic')),
  fc.tuple(fc.constantFrom('--name', '--results-dir'), fc.constantFrom('x', '', 'a b/c')),
  fc.tuple(fc.constant('--schedule'), fc.constantFrom(goodSchedule, badSchedule, join(dir, 'missing.json'))),
  fc.tuple(fc.constant('--net'), fc.constantFrom('proxy', 'carrier-pigeon')),
  fc.tuple(fc.constant('--nodes'), fc.constantFrom('a,b,c', 'n1', 'db-1.x,db-2.x', 'a,a', 'clients', 'a,,b', 'a b', '-a', ',')),
  fc.tuple(fc.constant('--hosts'), fc.constantFrom('local', 'lcoal', '')),
  fc.constant(['--unknown-option', '1']),
);

/** Every promise an accepted spec makes to the runner. */
function expectWithinBounds(spec: TestSpec): void {
  const int = (v: number, lo: number, hi: number): boolean => Number.isSafeInteger(v) && v >= lo && v <= hi;
  expect(int(spec.nodes.length, 1, 100)).toBe(true);
  expect(new Set(spec.nodes).size).toBe(spec.nodes.length);
  for (const node of spec.nodes) expect(node).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
  expect(int(spec.concurrency, 1, 10_000)).toBe(true);
  expect(spec.timeLimitS > 0 && spec.timeLimitS <= 7 * 86_400).toBe(true);
  expect(spec.recoveryS >= 0 && spec.recoveryS <= 7 * 86_400).toBe(true);
  expect(int(spec.seed, 0, Number.MAX_SAFE_INTEGER)).toBe(true);
  expect(Number.isFinite(spec.rate) && spec.rate > 0).toBe(true);
  expect(Number.isFinite(spec.nemesisIntervalS) && spec.nemesisIntervalS > 0).toBe(true);
  expect(int(spec.opTimeoutMs, 1, 3_600_000)).toBe(true);
  expect(int(spec.keyCount, 1, Number.MAX_SAFE_INTEGER) && int(spec.opsPerKey, 1, Number.MAX_SAFE_INTEGER)).toBe(true);
  expect(Number.isFinite(spec.checkerTimeoutS) && spec.checkerTimeoutS > 0).toBe(true);
  expect(typeof spec.name === 'string' && typeof spec.resultsRoot === 'string').toBe(true);
  const system = systems[spec.cluster]!;
  expect(system).toBeDefined();
  expect(workloads[spec.workload]).toBeDefined();
  for (const name of spec.nemeses) expect(nemeses[name]).toBeDefined();
  for (const bug of spec.bugs) expect(system.bugs[bug]).toBeDefined();
}

describe('fuzz: arguments to a test spec', () => {
  it('any arguments give a spec within bounds or a one-line error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 6 }), async (pairs) => {
        const args = pairs.flat();
        let spec: TestSpec;
        try {
          spec = specFromArgs(await parse(args));
          const resolved = resolveTest(spec);
          for (const entry of resolved.schedule) expect(entry.atMs).toBeLessThan(spec.timeLimitS * 1000);
        } catch (err) {
          if (!(err instanceof UserError || err instanceof UsageError)) throw err;
          expect(err.message.replace(/\s*\n\s*/g, ' ')).not.toBe('');
          if (err instanceof UserError) expect(err.message).not.toContain('\n');
          return;
        }
        expectWithinBounds(spec);
      }),
      { numRuns: 300 },
    );
  });
});

/** Values for a number option: ordinary, at and past the edges, and not numbers at all. */
const anyNumber: fc.Arbitrary<string> = fc.oneof(
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -10, max: 1_000_000 }).map(String),
  fc.double({ min: 1e-12, max: 1e-3, noNaN: true }).map(String),
  fc.constantFrom('0', '-0', '1e-9', '1e300', '1e400', '-1e400', '9007199254740993', '2147483648', 'NaN', 'Infinity', '', ' 7 ', '0x10', 'abc', '1,5'),
);

describe('fuzz: every number option of faultline test', () => {
  const options = Object.keys(NUMBERS).filter((o) => o !== 'max-runs');

  it('gives a spec within bounds, or one line naming the option', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...options), anyNumber, async (option, value) => {
        let spec: TestSpec;
        try {
          spec = specFromArgs(await parse(['--cluster', 'memory-kv', '--nemesis', 'none', `--${option}`, value]));
        } catch (err) {
          if (err instanceof UsageError) return; // yargs: one line too (main.ts)
          if (!(err instanceof UserError)) throw err;
          expect(err.message).not.toContain('\n');
          expect(err.message).toMatch(new RegExp(`--${option}|--rate`));
          return;
        }
        expectWithinBounds(spec);
        // What the runner's timers and schedules need: at least one operation, delays Node can time.
        expect(spec.rate * (spec.timeLimitS + spec.recoveryS)).toBeGreaterThanOrEqual(1);
        expect(spec.checkerTimeoutS * 1000).toBeLessThan(2 ** 31);
        expect(spec.timeLimitS * 1000).toBeLessThan(2 ** 31);
        expect(spec.recoveryS * 1000).toBeLessThan(2 ** 31);
      }),
      { numRuns: 600 },
    );
  });

  it('a refused value gets one clean line and exit code 2 from the CLI', async () => {
    /** The first few refused values the property meets, run through the real CLI. */
    const refused: [string, string][] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...options), anyNumber, async (option, value) => {
        if (refused.length >= 8 || value.trim() === '') return;
        try {
          specFromArgs(await parse(['--cluster', 'memory-kv', '--nemesis', 'none', `--${option}`, value]));
        } catch (err) {
          if (err instanceof UserError && !refused.some(([o]) => o === option)) refused.push([option, value]);
        }
      }),
      { numRuns: 500, seed: 22 },
    );
    expect(refused.length).toBeGreaterThan(5);
    const runs = await Promise.all(refused.map(([option, value]) => runCli(['test', '--cluster', 'memory-kv', `--${option}=${value}`, '--results-dir', dir])));
    runs.forEach((run, i) => {
      const [option] = refused[i]!;
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^faultline: --(${option}|rate) `));
      expect(run.stderr).not.toMatch(/Warning|internal error|\n\s+at /);
    });
  });

  it.concurrent.each<[string, Record<string, string>]>([
    ['the lowest rate that issues an operation', { rate: '0.5', 'time-limit': '2', 'recovery-time': '0' }],
    ['a rate no machine keeps', { rate: '1e300' }],
    ['no recovery time', { 'recovery-time': '0' }],
    ['the longest operation timeout', { 'op-timeout': '3600000' }],
    ['the longest checker timeout', { 'checker-timeout': '604800' }],
    ['a nemesis interval longer than any run', { nemesis: 'kill', 'nemesis-interval': '1e300' }],
    ['the most keys', { 'key-count': '9007199254740991', 'ops-per-key': '9007199254740991' }],
    ['eleven nodes and nemeses that ask for the primary', { cluster: 'raft-kv', nodes: '11', nemesis: 'kill,partition,clock', 'nemesis-interval': '0.3', 'time-limit': '3' }],
  ])('%s runs without a warning from Node', async (_, given) => {
    const options = { cluster: 'memory-kv', nodes: '1', nemesis: 'none', 'time-limit': '1', 'recovery-time': '1', ...given, 'results-dir': dir };
    const run = await runCli(['test', ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, v])]);
    expect([0, 1, 2], run.stderr).toContain(run.code);
    expect(run.stderr).not.toMatch(/Warning|internal error/);
  }, 120_000);
});
