/**
 * `faultline clean`: remove what runs killed with -9 (or by the OOM killer, or a crash of the
 * machine's session) left on this machine. A normal end, Ctrl-C or SIGTERM removes everything;
 * this is for the rest. Each host backend contributes its cleaners (HostBackend.cleaners: for
 * `local`, node processes whose harness is gone and the labs of dead `--net netns` runs); the
 * runner's own leftovers are scratch directories (`<tmpdir>/faultline-*`) whose owner.pid names a
 * harness that is gone. Nothing of a run still going is ever touched.
 *
 * A hosts file of an SSH lab names addresses that live in the lab's namespaces: then the whole
 * clean runs again inside the lab's control namespace, as runs against it do.
 *
 * Order: the backends' run cleaners (processes) first, so directories are no longer in use, then
 * scratch directories, then machine-wide lab state (namespaces, daemons).
 */
import { rmSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { CleanReport, HostBackend, HostCleaner, HostSpec } from '../api/host.js';
import { harnessPid } from '../process-identity.js';
import { hostBackends } from '../registry.js';
import { needsEnclave, runInEnclave } from '../runner/enclave-run.js';
import { defaultNet } from './host-args.js';
import { leftoverScratchDirs } from '../runner/run-dir.js';

/** Options of {@link cleanLeftovers}. */
export interface CleanOptions {
  /** Where scratch directories live; the system temp directory by default. */
  tmp?: string;
  /** Run lab cleaners: `true` even where they say they cannot, `false` never; by default where they can. */
  labs?: boolean;
  /** Host backend options given to `faultline clean` (e.g. a hosts file). */
  options?: Readonly<Record<string, string>>;
}

/** Remove the leftovers of dead runs: backend run leftovers, scratch directories, then labs. */
export async function cleanLeftovers(opts: CleanOptions = {}): Promise<CleanReport> {
  const report: CleanReport = { removed: [], problems: [] };
  const cleaners = [...new Set(Object.values(hostBackends).flatMap((b) => b.cleaners))];
  for (const cleaner of cleaners.filter((c) => !c.lab)) await runCleaner(cleaner, report, opts, false);
  for (const { dir, owner } of leftoverScratchDirs(opts.tmp)) {
    try {
      rmSync(dir, { recursive: true, force: true });
      report.removed.push(`removed scratch directory ${dir} (harness ${harnessPid(owner)} is gone)`);
    } catch (err) {
      report.problems.push(`cannot remove ${dir}: ${(err as Error).message}`);
    }
  }
  if (opts.labs !== false) {
    for (const cleaner of cleaners.filter((c) => c.lab)) await runCleaner(cleaner, report, opts, opts.labs === true);
  }
  return report;
}

/** Run one cleaner into `report`; one that cannot run here is skipped, or a problem when `insist`. */
async function runCleaner(cleaner: HostCleaner, report: CleanReport, opts: CleanOptions, insist: boolean): Promise<void> {
  const why = cleaner.unavailable();
  if (why !== undefined) {
    if (insist) report.problems.push(`cannot remove ${cleaner.name}: ${why}`);
    return;
  }
  try {
    const done = await cleaner.clean(opts.options ?? {});
    for (const item of done.removed) report.removed.push(item);
    for (const problem of done.problems) report.problems.push(problem);
  } catch (err) {
    report.problems.push(`cannot remove ${cleaner.name}: ${((err as Error).message ?? String(err)).split('\n')[0]}`);
  }
}

/** Host backend options `faultline clean` takes (those marked `clean`), by name. */
function cleanOptionNames(): string[] {
  return [...new Set(Object.values(hostBackends).flatMap((b) => Object.entries(b.options ?? {}).filter(([, o]) => o.clean).map(([name]) => name)))];
}

/**
 * The backend whose enclave the options of `faultline clean` call for (a hosts file of an SSH
 * lab), with the spec that says so, when this process is not in that enclave yet.
 */
function enclavedBackend(options: Readonly<Record<string, string>>): { backend: HostBackend; spec: HostSpec } | undefined {
  for (const backend of Object.values(hostBackends)) {
    if (!Object.keys(options).some((name) => backend.options?.[name]?.clean)) continue;
    const spec: HostSpec = { nodes: [], net: defaultNet(backend.name), hostOptions: options, seed: 1, bugs: [], clusterOptions: {} };
    if (needsEnclave(spec, backend)) return { backend, spec };
  }
  return undefined;
}

interface CleanArgs {
  labs?: boolean;
  [option: string]: unknown;
}

/** The `faultline clean` command. */
export const cleanCommand: CommandModule<object, CleanArgs> = {
  command: 'clean',
  describe: 'Remove what runs killed with -9 left behind: node processes, scratch directories, netns labs',
  builder: (y) => {
    let out = y.option('labs', { type: 'boolean', describe: 'Remove dead labs (netns namespaces) too (default: where possible, e.g. as root; --no-labs to skip)' });
    for (const name of cleanOptionNames()) out = out.option(name, { type: 'string', describe: `For host backends that need it (faultline list)` });
    return out as never;
  },
  handler: async (args) => {
    const options: Record<string, string> = {};
    for (const name of cleanOptionNames()) if (args[name] !== undefined) options[name] = String(args[name]);
    const enclaved = enclavedBackend(options);
    if (enclaved) {
      // The hosts the options name live in a namespace (an SSH lab): clean from inside it.
      process.exitCode = await runInEnclave(enclaved.backend, enclaved.spec);
      return;
    }
    const report = await cleanLeftovers({ ...(args.labs !== undefined && { labs: args.labs }), options });
    const lines = report.removed.length > 0 ? report.removed : ['nothing to clean'];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const problem of report.problems) process.stderr.write(`faultline: ${problem}\n`);
    if (report.problems.length > 0) process.exitCode = 2;
  },
};
