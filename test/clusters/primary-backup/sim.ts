/**
 * primary-backup in the deterministic simulation (../sim.ts): Zab-like cores, disks holding the
 * epochs and the history records, and the shared invariants (one primary per epoch, a committed
 * entry never changes).
 */
import { makeConfig } from '../../../clusters/primary-backup/config.js';
import type { PbMessage } from '../../../clusters/primary-backup/messages.js';
import type { Epochs } from '../../../clusters/primary-backup/recovery.js';
import { Zab, type Ready } from '../../../clusters/primary-backup/zab.js';
import { CoreSim, type SimOptions } from '../sim.js';

interface Disk {
  epochs?: Epochs;
  records: unknown[];
}

export interface PbSimOptions extends SimOptions {
  bugs?: string[];
  readMode?: string;
}

export class PbSim extends CoreSim<PbMessage, Ready, Zab, Disk> {
  constructor(options: PbSimOptions = {}) {
    const opts = { bugs: options.bugs ?? [], ...(options.readMode && { readMode: options.readMode }) };
    super(
      {
        emptyDisk: () => ({ records: [] }),
        boot: (id, ids, env, disk) => new Zab(makeConfig(id, ids, opts), env, JSON.parse(JSON.stringify(disk)) as Disk),
        persist: (disk, rd) => {
          if (rd.epochs) disk.epochs = { ...rd.epochs };
          if (rd.records) for (const record of JSON.parse(JSON.stringify(rd.records)) as unknown[]) disk.records.push(record);
        },
        committedEntry: (z, i) => {
          const e = i <= z.history.commit ? z.history.get(i) : undefined;
          return e && { e: e.e, cmd: e.c };
        },
        serving: (z) => z.serving(),
      },
      options,
    );
  }

  zab(id: string): Zab {
    return this.core(id);
  }
}
