/**
 * The host conformance suite: the same checks (src/conformance/checks.ts) against every host
 * backend, through `faultline check-hosts --json` as a user runs it (the built CLI, which
 * re-executes itself inside the backend's enclave when it needs one), with a private TMPDIR.
 * Each check is reported as a test of its own; then this side checks what only the outside can
 * see: nothing left in that TMPDIR, no process of the run, the enclave's namespaces gone.
 *
 * A new backend joins with one line in TARGETS (and, if it leaves machine-wide state that the
 * generic checks cannot see, a `leftovers` function). Targets that cannot run here (not root, no
 * daemon) are skipped with the reason in their title.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNames, type CheckResult } from '../../src/conformance/checks.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { LAB_STATE_ROOT } from '../../src/net/netns/lab.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { namespaces, netnsUnsupported } from '../net/netns/helpers.js';
import { CONFORMANCE_HOSTS_FILE, sshLabLeftovers, sshLabUnsupported, withSshLab } from './ssh-lab.js';
import { dockerLeftovers, dockerUnsupported, withDockerLab } from './docker-lab.js';

interface Target {
  hosts: string;
  /** The backend's default when omitted. */
  net?: string;
  /** More `faultline check-hosts` arguments (backend options). */
  args?: string[];
  /** Why this target cannot run here, or `undefined`. */
  unsupported?: () => string | undefined;
  /** What only this backend can tell is left once the run is over, given the run's stderr and results directory. */
  leftovers?: (stderr: string, runDir: string) => string[] | Promise<string[]>;
  /** Runs the checks inside a lab the target needs (brought up before, taken down after), with the environment it needs. */
  within?: <T>(run: (env: NodeJS.ProcessEnv) => Promise<T>) => Promise<T>;
}

/** A netns lab's namespaces and state, by the lab id the run announced. */
function labLeftovers(stderr: string): string[] {
  const id = /netns lab ([0-9a-f]{6})/.exec(stderr)?.[1];
  if (!id) return ['the run announced no netns lab'];
  const left = namespaces().filter((ns) => ns.startsWith(`fl-${id}-`));
  if (existsSync(join(LAB_STATE_ROOT, id))) left.push(join(LAB_STATE_ROOT, id));
  return left;
}

const TARGETS: Target[] = [
  { hosts: 'local', net: 'proxy' },
  { hosts: 'local', net: 'netns', unsupported: netnsUnsupported, leftovers: labLeftovers },
  { hosts: 'ssh', args: ['--hosts-file', CONFORMANCE_HOSTS_FILE], unsupported: sshLabUnsupported, within: withSshLab, leftovers: sshLabLeftovers },
  { hosts: 'docker', net: 'bridge', unsupported: dockerUnsupported, within: withDockerLab, leftovers: (_stderr, runDir) => dockerLeftovers(runDir) },
];

/** How long the targets' runs may take, all together. */
const RUN_TIMEOUT_MS = 600_000;

interface TargetRun {
  tmp: string;
  results: string;
  run: CliResult;
  reported: Map<string, CheckResult>;
}

/** `faultline check-hosts` for `target`, with a TMPDIR and results directory of its own. */
async function checkHosts(target: Target): Promise<TargetRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'faultline-conformance-tmp-'));
  const results = mkdtempSync(join(tmpdir(), 'faultline-conformance-results-'));
  const args = ['check-hosts', '--hosts', target.hosts, ...(target.net ? ['--net', target.net] : []), ...(target.args ?? []), '--json', '--results-dir', results];
  const check = (env: NodeJS.ProcessEnv): Promise<CliResult> => runCli(args, undefined, undefined, { ...env, TMPDIR: tmp });
  const run = target.within ? await target.within(check) : await check({});
  const reported = new Map<string, CheckResult>();
  for (const line of run.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const result = JSON.parse(line) as CheckResult;
    reported.set(result.name, result);
  }
  return { tmp, results, run, reported };
}

const runnable = TARGETS.filter((t) => t.unsupported?.() === undefined);
/** Every runnable target's run, started together (they mostly wait on timeouts) the first time one is needed. */
let all: Promise<Map<Target, TargetRun>> | undefined;
const runAll = (): Promise<Map<Target, TargetRun>> =>
  (all ??= Promise.all(runnable.map(async (t) => [t, await checkHosts(t)] as const)).then((runs) => new Map(runs)));

afterAll(async () => {
  for (const { tmp, results } of (await all)?.values() ?? []) {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(results, { recursive: true, force: true });
  }
});

for (const target of TARGETS) {
  const label = `--hosts ${target.hosts}${target.net ? ` --net ${target.net}` : ''}`;
  const why = target.unsupported?.();

  describe.skipIf(why !== undefined)(`host conformance: ${label}${why ? ` (skipped: ${why})` : ''}`, () => {
    let done: TargetRun | undefined;
    beforeAll(async () => {
      done = (await runAll()).get(target);
    }, RUN_TIMEOUT_MS);

    for (const name of checkNames()) {
      it(name, () => {
        const result = done?.reported.get(name);
        if (!result) throw new Error(`the check did not run (exit ${String(done?.run.code)}):\n${done?.run.stderr ?? ''}`);
        if (!result.ok) throw new Error(`${result.error ?? 'failed'}\n--- stderr ---\n${done?.run.stderr ?? ''}`);
      });
    }

    it('leaves nothing on this machine: no process of the run, no scratch file, no namespace', async () => {
      const { tmp, results, run } = done as TargetRun;
      expect(run.code, run.stderr).not.toBe(2);
      expect(readdirSync(tmp)).toEqual([]);
      const runDirs = readdirSync(results).filter((name) => name !== 'latest').map((name) => join(results, name));
      expect(runDirs).toHaveLength(1);
      expect(runProcesses(runDirs[0])).toEqual([]);
      expect((await target.leftovers?.(run.stderr, runDirs[0] as string)) ?? []).toEqual([]);
    });
  });
}
