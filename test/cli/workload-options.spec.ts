// Workload options (WorkloadDef.options): offered by `faultline test` and `faultline list`,
// validated before the run with one line, stored with every declared option in the spec, and
// stated by the repeat command when they differ from the default.
import { describe, expect, it } from 'vitest';
import yargs, { type Argv } from 'yargs';
import type { WorkloadDef } from '../../src/api/workload.js';
import { declaredOptions, repeatCommand, specFromArgs, testCommand } from '../../src/cli/test.js';
import { systems, workloads } from '../../src/registry.js';
import { resolveTest } from '../../src/runner/resolve.js';
import { resolveWorkloadOptions } from '../../src/runner/workload-options.js';
import { UserError } from '../../src/user-error.js';
import { runCli } from '../helpers/cli.js';
import { testSpec } from '../helpers/spec.js';

async function parse(args: string[]): Promise<Parameters<typeof specFromArgs>[0]> {
  const builder = testCommand.builder as unknown as (y: Argv) => Argv;
  return (await builder(yargs(args)).strict().exitProcess(false).parseAsync()) as unknown as Parameters<typeof specFromArgs>[0];
}

const fixture: WorkloadDef = {
  name: 'fixture',
  description: 'a workload with one option of each kind',
  options: {
    share: { describe: 'a fraction', default: 0.5, min: 0, max: 1 },
    accounts: { describe: 'a count', default: 5, min: 1, integer: true },
    mode: { describe: 'a choice', default: 'fast', choices: ['fast', 'slow'] },
  },
  build: () => {
    throw new Error('not built here');
  },
};

describe('workload options', () => {
  it('fill in defaults and parse values by the declared type', () => {
    expect(resolveWorkloadOptions(fixture)).toEqual({ share: 0.5, accounts: 5, mode: 'fast' });
    expect(resolveWorkloadOptions(fixture, { share: '0.25', accounts: '7', mode: 'slow' })).toEqual({ share: 0.25, accounts: 7, mode: 'slow' });
    expect(resolveWorkloadOptions(fixture, { share: 1 })).toMatchObject({ share: 1 });
  });

  it.each([
    [{ share: '2' }, /fixture option --share must be at most 1, not 2/],
    [{ share: 'half' }, /fixture option --share must be a number, not 'half'/],
    [{ share: '' }, /must be a number/],
    [{ accounts: '2.5' }, /--accounts must be a whole number/],
    [{ accounts: '0' }, /--accounts must be at least 1, not 0/],
    [{ mode: 'medium' }, /--mode must be one of fast, slow, not 'medium'/],
    [{ shares: '0.2' }, /workload fixture has no option 'shares' \(did you mean 'share'\?\)/],
  ])('refuse %j before the run with one line', (given, message) => {
    expect(() => resolveWorkloadOptions(fixture, given)).toThrow(UserError);
    expect(() => resolveWorkloadOptions(fixture, given)).toThrow(message);
  });

  it('come from the command line, are resolved with the test, and the repeat command states them', async () => {
    const spec = specFromArgs(await parse(['--readers', '0.3', '--seed', '4']));
    expect(spec.workloadOptions).toEqual({ readers: '0.3' });
    expect(resolveTest(spec).workloadOptions).toEqual({ readers: 0.3 });
    expect(repeatCommand(spec, '/r')).toContain('--readers 0.3');
    expect(repeatCommand({ ...spec, workloadOptions: { readers: 0.5 } }, '/r')).not.toContain('--readers');
    expect(() => resolveTest(testSpec({ workloadOptions: { readers: 7 } }))).toThrow(/register option --readers must be at most 1, not 7/);
  });

  it('never share a name with a system option or a core option of faultline test', async () => {
    // Core options with a default appear parsed from no arguments; those without are listed.
    const core = [...Object.keys(await parse([])), 'seed', 'name', 'schedule', 'verbose', 'help', 'version'];
    const systemNames = [...declaredOptions(Object.values(systems)).keys()];
    for (const name of declaredOptions(Object.values(workloads)).keys()) {
      expect(systemNames).not.toContain(name);
      expect(core).not.toContain(name);
    }
  });

  it('are offered by test --help and described by list', async () => {
    const help = await runCli(['test', '--help']);
    expect(help.stdout).toMatch(/Workload options:\s+--readers/);
    const list = await runCli(['list']);
    expect(list.stdout).toMatch(/--readers <number>\s+share of each node's client threads that only read.*default 0\.5, 0\.\.1/);
  });
});
