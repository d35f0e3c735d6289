/**
 * The host conformance suite: the same checks (./conformance.ts) against every host backend. Each
 * target runs them in a child process placed where the backend's harness side must run (inside
 * its enclave when it needs one, as `faultline test` re-executes itself), with a private TMPDIR,
 * then this side checks what only it can see: nothing left in that TMPDIR, no process of the run,
 * and the enclave's namespaces gone once released.
 *
 * A new backend joins with one line in TARGETS (and, if it leaves machine-wide state a generic
 * check cannot see, a `leftovers` function). Targets that cannot run here (not root, no daemon)
 * are skipped with the reason in their title.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Enclave, HostSpec } from '../../src/api/host.js';
import { localProgram } from '../../src/hosts/local/programs.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { NETNS_DIR } from '../../src/net/netns/exec.js';
import { launchInNamespace } from '../../src/net/netns/in-namespace.js';
import { LAB_STATE_ROOT } from '../../src/net/netns/lab.js';
import { hostBackends, lookup } from '../../src/registry.js';
import { enclaveEnv } from '../../src/runner/enclave-run.js';
import { namespaces, netnsUnsupported } from '../net/netns/helpers.js';
import { checkNames, NODES, type CheckResult } from './conformance.js';

interface Target {
  hosts: string;
  /** The backend's default when omitted. */
  net?: string;
  hostOptions?: Record<string, string>;
  /** Why this target cannot run here, or `undefined`. */
  unsupported?: () => string | undefined;
  /** What only this backend can tell is left once the run is over and its enclave released. */
  leftovers?: (enclave: Enclave | undefined) => string[];
}

/** A netns lab's namespaces and state, by the lab id its enclave token is. */
function labLeftovers(enclave: Enclave | undefined): string[] {
  if (!enclave) return ['no enclave was opened for --net netns'];
  const left = namespaces().filter((ns) => ns.startsWith(`fl-${enclave.token}-`));
  if (existsSync(join(LAB_STATE_ROOT, enclave.token))) left.push(join(LAB_STATE_ROOT, enclave.token));
  return left;
}

const TARGETS: Target[] = [
  { hosts: 'local', net: 'proxy' },
  { hosts: 'local', net: 'netns', unsupported: netnsUnsupported, leftovers: labLeftovers },
];

/** How long one target's whole run may take. */
const RUN_TIMEOUT_MS = 400_000;

/** Run the checks for `target` in a child where its harness side belongs; resolves with each check's result. */
async function runChecks(target: Target & { net: string }, enclave: Enclave | undefined, tmp: string, results: string): Promise<{ results: Map<string, CheckResult>; stderr: string; code: number | null }> {
  const args = JSON.stringify({ hosts: target.hosts, net: target.net, hostOptions: target.hostOptions ?? {}, results });
  const program = localProgram(new URL('./conformance-child.js', import.meta.url), [args]);
  const launch = enclave ? launchInNamespace({ ...program, env: enclaveEnv(target.hosts, enclave) }, enclave.namespace) : program;
  const child = spawn(launch.command, launch.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...launch.env, TMPDIR: tmp } });
  const out = new Map<string, CheckResult>();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    let end: number;
    while ((end = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, end);
      stdout = stdout.slice(end + 1);
      if (line.startsWith('CHECK ')) {
        const result = JSON.parse(line.slice('CHECK '.length)) as CheckResult;
        out.set(result.name, result);
      }
    }
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { results: out, stderr, code };
}

for (const target of TARGETS) {
  const backend = lookup('hosts', hostBackends, target.hosts);
  const net = target.net ?? (Object.keys(backend.nets)[0] as string);
  const label = `--hosts ${target.hosts} --net ${net}`;
  const why = target.unsupported?.();

  describe.skipIf(why !== undefined)(`host conformance: ${label}${why ? ` (skipped: ${why})` : ''}`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'faultline-conformance-tmp-'));
    const results = mkdtempSync(join(tmpdir(), 'faultline-conformance-results-'));
    let enclave: Enclave | undefined;
    let run: Awaited<ReturnType<typeof runChecks>> | undefined;

    beforeAll(async () => {
      const spec: HostSpec = { nodes: NODES, net, hostOptions: target.hostOptions ?? {}, seed: 1, bugs: [], clusterOptions: {} };
      if (backend.enclave?.needed(spec)) enclave = await backend.enclave.open(spec);
      run = await runChecks({ ...target, net }, enclave, tmp, results);
    }, RUN_TIMEOUT_MS);

    afterAll(async () => {
      await enclave?.release();
      rmSync(tmp, { recursive: true, force: true });
      rmSync(results, { recursive: true, force: true });
    });

    for (const name of checkNames()) {
      it(name, () => {
        const result = run?.results.get(name);
        if (!result) throw new Error(`the check did not run (child exit ${String(run?.code)}):\n${run?.stderr ?? ''}`);
        if (!result.ok) throw new Error(`${result.error ?? 'failed'}\n--- child stderr ---\n${run?.stderr ?? ''}`);
      });
    }

    it('leaves nothing on this machine: no process of the run, no scratch file, no namespace', async () => {
      expect(run?.code, run?.stderr).toBe(0);
      await enclave?.release();
      // tsx keeps its compile cache in TMPDIR; anything else there was left by the run.
      expect(readdirSync(tmp).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
      const runDirs = readdirSync(results).filter((name) => name !== 'latest').map((name) => join(results, name));
      expect(runDirs.length).toBe(1);
      expect(runProcesses(runDirs[0])).toEqual([]);
      if (enclave) expect(existsSync(join(NETNS_DIR, enclave.namespace))).toBe(false);
      expect(target.leftovers?.(enclave) ?? []).toEqual([]);
    });
  });
}
