/**
 * `faultline check-hosts`: run the host conformance checks (src/conformance/) against a host
 * backend on this machine, to know before a test that faultline can start, stop, kill, pause,
 * skew, partition, delay and lose traffic there, and that it leaves nothing behind. Exits 0 when
 * every check passed, 1 when one failed, 2 when the checks could not run. The same checks run in
 * CI for every backend (test/hosts/conformance.spec.ts).
 */
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import type { HostSpec } from '../api/host.js';
import type { CheckResult } from '../conformance/checks.js';
import { MIN_NODES } from '../conformance/checks.js';
import { runConformance } from '../conformance/run.js';
import { joinEnclave, needsEnclave, parentGone, releaseIfOrphaned, runInEnclave } from '../runner/enclave-run.js';
import { UserError } from '../user-error.js';
import { hostOptions, hostsFromArgs } from './host-args.js';
import { onInterrupt } from './interrupt.js';

interface CheckHostsArgs {
  'results-dir': string;
  json: boolean;
  [option: string]: unknown;
}

/** One line per check for people; JSON lines for programs. */
function printer(json: boolean): (result: CheckResult) => void {
  if (json) return (result) => process.stdout.write(`${JSON.stringify(result)}\n`);
  return (result) => {
    const mark = result.ok ? chalk.green('✓') : chalk.red('✗');
    process.stdout.write(`${mark} ${result.name} ${chalk.dim(`(${(result.ms / 1000).toFixed(1)} s)`)}\n`);
    if (!result.ok) process.stdout.write(`  ${chalk.red(result.error ?? 'failed')}\n`);
  };
}

export const checkHostsCommand: CommandModule<object, CheckHostsArgs> = {
  command: 'check-hosts',
  describe: 'Check that a host backend does everything faultline needs on this machine (start, kill, pause, clock, partitions, latency, loss, cleanup)',
  builder: ((y: Argv) =>
    hostOptions(y)
      .option('results-dir', { type: 'string', default: 'results', describe: 'Where the run directory (with the probe nodes\' logs) goes' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON object per check on stdout' })) as never,
  handler: async (argv) => {
    const { backend, nodes, net, hostOptions: options } = hostsFromArgs(argv);
    if (nodes.length < MIN_NODES) throw new UserError(`check-hosts needs at least ${MIN_NODES} nodes, not ${nodes.length}`);
    const spec: HostSpec = { nodes, net, hostOptions: options, seed: 1, bugs: [], clusterOptions: {} };
    backend.check(spec);
    if (needsEnclave(spec, backend)) {
      process.exitCode = await runInEnclave(backend, spec);
      return;
    }
    const enclave = joinEnclave(backend);
    const interrupt = onInterrupt(() => process.stderr.write(chalk.yellow('\n! interrupted: finishing the check in progress, then cleaning up (Ctrl-C again to force)\n')));
    const orphaned = parentGone();
    const stop = orphaned ? AbortSignal.any([interrupt.signal, orphaned]) : interrupt.signal;
    try {
      const { results } = await runConformance({
        backend,
        spec,
        ...(enclave && { enclave }),
        resultsRoot: argv['results-dir'],
        signal: stop,
        report: printer(argv.json),
        note: (text) => process.stderr.write(`faultline: ${text}\n`),
      });
      const failed = results.filter((r) => !r.ok).length;
      if (!argv.json) process.stdout.write(failed === 0 ? `--hosts ${backend.name} --net ${net}: all ${results.length} checks passed\n` : `--hosts ${backend.name} --net ${net}: ${failed} of ${results.length} checks failed\n`);
      process.exitCode = failed === 0 ? 0 : 1;
    } finally {
      interrupt.dispose();
      await releaseIfOrphaned(enclave, orphaned);
    }
  },
};
