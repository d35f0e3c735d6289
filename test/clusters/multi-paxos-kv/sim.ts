/**
 * multi-paxos-kv in the deterministic simulation (../sim.ts): Paxos cores, disks holding the
 * promised ballot and the slot records, and the shared invariants (one leader per ballot, a
 * chosen slot never changes).
 */
import { makeConfig } from '../../../clusters/multi-paxos-kv/config.js';
import type { PaxosMessage } from '../../../clusters/multi-paxos-kv/messages.js';
import { Paxos, type Ready } from '../../../clusters/multi-paxos-kv/paxos.js';
import { CoreSim, type SimOptions } from '../sim.js';

interface Disk {
  promised?: number;
  records: unknown[];
}

export interface PaxosSimOptions extends SimOptions {
  bugs?: string[];
  readMode?: string;
}

export class PaxosSim extends CoreSim<PaxosMessage, Ready, Paxos, Disk> {
  constructor(options: PaxosSimOptions = {}) {
    const opts = { bugs: options.bugs ?? [], ...(options.readMode && { readMode: options.readMode }) };
    super(
      {
        emptyDisk: () => ({ records: [] }),
        boot: (id, ids, env, disk) => new Paxos(makeConfig(id, ids, opts), env, JSON.parse(JSON.stringify(disk)) as Disk),
        persist: (disk, rd) => {
          if (rd.promised !== undefined) disk.promised = rd.promised;
          if (rd.records) for (const record of JSON.parse(JSON.stringify(rd.records)) as unknown[]) disk.records.push(record);
        },
        committedEntry: (p, s) => (s < p.log.firstUnchosen ? { cmd: p.log.get(s)!.c } : undefined),
        serving: (p) => p.recovered(),
      },
      options,
    );
  }

  paxos(id: string): Paxos {
    return this.core(id);
  }
}
