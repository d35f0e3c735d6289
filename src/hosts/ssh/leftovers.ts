/**
 * What runs whose harness died (kill -9, a crash) left on an SSH host: node processes (daemons
 * that outlive SSH by design), the run's nft table, netem qdiscs, and the run's directory. Each
 * run's directory holds a `harness` file naming the machine and process that runs it; a run whose
 * harness is on this machine and gone is removed, one from another machine is left alone (it
 * cannot be told from here whether it still runs). Tables named like a run's with no directory
 * are removed too. `faultline clean --hosts-file ...` and every new run on the host do this.
 */
import { hostname } from 'node:os';
import type { CleanReport } from '../../api/host.js';
import { shq, type SshConnection } from './connection.js';
import { harnessGone, runDirOn } from './remote-host.js';
import { runTable, TC_DEVICES_FILE } from './ssh-net.js';

const RUN_ID = /^[0-9a-f]{8}$/;

/** Remove a run from a host: its process, table and qdiscs (as root), then its directory. */
export async function removeRun(conn: SshConnection, base: string, runId: string): Promise<void> {
  const dir = runDirOn(base, runId);
  await conn.exec(`test -s ${shq(`${dir}/node.pid`)} && kill -KILL "$(cat ${shq(`${dir}/node.pid`)})" 2>/dev/null; true`);
  await conn.exec(
    `nft delete table inet ${runTable(runId)} 2>/dev/null; for d in $(cat ${shq(`${dir}/${TC_DEVICES_FILE}`)} 2>/dev/null); do tc qdisc del dev "$d" root 2>/dev/null; done; true`,
    { root: true },
  );
  await conn.run(`rm -rf ${shq(dir)}`, `removing run ${runId}`);
}

/** Remove what dead runs left on the host behind `conn`; a line per run removed or left alone. */
export async function cleanDeadRuns(conn: SshConnection, base: string): Promise<CleanReport> {
  const report: CleanReport = { removed: [], problems: [] };
  const name = conn.host.name;
  const listing = await conn.run(
    `cd ${shq(`${base}/runs`)} 2>/dev/null && for d in *; do [ -f "$d/harness" ] && printf '%s %s\\n' "$d" "$(cat "$d/harness")"; done; true`,
    'listing runs',
  );
  const live = new Set<string>();
  for (const line of listing.split('\n').filter(Boolean)) {
    const [id, ...mark] = line.split(' ');
    if (!id || !RUN_ID.test(id)) continue;
    if (!harnessGone(mark.join(' '))) {
      live.add(id);
      if (mark[0] !== hostname()) report.problems.push(`host ${name}: left run ${id} alone: its harness runs on ${mark[0] || 'an unknown machine'}`);
      continue;
    }
    await removeRun(conn, base, id);
    report.removed.push(`host ${name}: removed run ${id} (processes, rules, files) of a harness that is gone`);
  }
  const tables = await conn.exec('nft list tables 2>/dev/null', { root: true });
  for (const match of tables.stdout.matchAll(/table inet faultline-([0-9a-f]{8})\b/g)) {
    const id = match[1] as string;
    if (live.has(id)) continue;
    await conn.exec(`nft delete table inet ${runTable(id)}`, { root: true });
    report.removed.push(`host ${name}: removed nft table ${runTable(id)} of a run that is gone`);
  }
  return report;
}
