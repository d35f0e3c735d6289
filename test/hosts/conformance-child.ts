// Runs the host conformance checks (./conformance.ts) against one backend, where its harness side
// must run: in place, or re-executed inside the backend's enclave (FAULTLINE_ENCLAVE set), exactly
// as `faultline test` is. Prints one `CHECK <json>` line per check on stdout; diagnostics on stderr.
// Usage: conformance-child.ts '{"hosts": "local", "net": "proxy", "hostOptions": {}, "results": "<dir>"}'
import type { HostSpec } from '../../src/api/host.js';
import { answers, hostProbe } from '../../src/hosts/probe/index.js';
import { hostBackends, lookup } from '../../src/registry.js';
import { joinEnclave } from '../../src/runner/enclave-run.js';
import { createRunDirs, removeScratch } from '../../src/runner/run-dir.js';
import { startCluster } from '../../src/runner/start-cluster.js';
import { checks, expectNothingLeft, NODES, restore, SETUP, TEARDOWN, type CheckResult, type ProbeRun } from './conformance.js';

function report(result: CheckResult): void {
  process.stdout.write(`CHECK ${JSON.stringify(result)}\n`);
}

async function timed(name: string, fn: () => Promise<void>): Promise<boolean> {
  const t0 = Date.now();
  try {
    await fn();
    report({ name, ok: true, ms: Date.now() - t0 });
    return true;
  } catch (err) {
    report({ name, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err), ms: Date.now() - t0 });
    return false;
  }
}

async function main(args: { hosts: string; net: string; hostOptions: Record<string, string>; results: string }): Promise<void> {
  const backend = lookup('hosts', hostBackends, args.hosts);
  const spec: HostSpec = { nodes: NODES, net: args.net, hostOptions: args.hostOptions, seed: 1, bugs: [], clusterOptions: {} };
  backend.check(spec);
  const enclave = joinEnclave(backend);
  const dirs = createRunDirs(args.results, `conformance-${args.hosts}-${args.net}`, new Date());
  const cleanups: (() => Promise<void>)[] = [];
  let run: ProbeRun | undefined;
  try {
    await timed(SETUP, async () => {
      const started = await startCluster({
        backend,
        spec,
        system: hostProbe,
        dirs,
        ...(enclave && { enclave }),
        signal: new AbortController().signal,
        track: (c) => cleanups.push(c),
        onCrash: (node, how) => process.stderr.write(`conformance: ${node} crashed (${how})\n`),
      });
      const { hosts } = started;
      run = { hosts, cluster: hosts.cluster, net: hosts.net, nodes: NODES, dirs };
    });
    const p = run;
    for (const check of checks(NODES)) {
      if (!p) {
        report({ name: check.name, ok: false, error: 'the hosts did not start', ms: 0 });
        continue;
      }
      await timed(check.name, () => check.run(p));
      await restore(p).catch((err: unknown) => process.stderr.write(`conformance: could not restore the cluster: ${String(err)}\n`));
    }
    await timed(TEARDOWN, async () => {
      if (!p) throw new Error('the hosts did not start');
      const boots: Record<string, number> = {};
      for (const node of NODES) boots[node] = (await answers(p.cluster.clientAddresses[node] as string, 1500))?.boots ?? 0;
      await p.hosts.tearDown();
      await expectNothingLeft(p, boots);
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => process.stderr.write(`conformance: cleanup: ${String(err)}\n`));
    removeScratch(dirs);
  }
}

main(JSON.parse(process.argv[2] ?? '{}')).catch((err: unknown) => {
  process.stderr.write(`conformance child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
