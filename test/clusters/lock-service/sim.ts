/**
 * lock-service in the deterministic simulation (../sim.ts): lock cores on the shared Raft core,
 * disks holding the hard state and the log.
 */
import { LockCore, makeLockConfig, type Ready } from '../../../clusters/lock-service/core.js';
import type { LockRequest } from '../../../clusters/lock-service/protocol.js';
import type { Entry } from '../../../src/node/raft/log.js';
import type { RaftMessage } from '../../../src/node/raft/messages.js';
import type { HardState } from '../../../src/node/raft/types.js';
import { CoreSim, type SimOptions } from '../sim.js';

interface Disk {
  hardState?: HardState;
  entries: Entry[];
}

export class LockSim extends CoreSim<RaftMessage, Ready, LockCore, Disk, LockRequest> {
  constructor(options: SimOptions & { bugs?: string[]; election?: 'raft' | 'bully' } = {}) {
    super(
      {
        emptyDisk: () => ({ entries: [] }),
        boot: (id, ids, env, disk) => {
          const persisted = { entries: [...disk.entries], ...(disk.hardState ? { hardState: { ...disk.hardState } } : {}) };
          return new LockCore(makeLockConfig(id, ids, { bugs: options.bugs ?? [], election: options.election ?? 'raft' }), env, persisted);
        },
        persist: (disk, rd) => {
          if (rd.hardState) disk.hardState = { ...rd.hardState };
          if (rd.log) {
            disk.entries.length = Math.min(disk.entries.length, rd.log.from - 1);
            for (const entry of rd.log.entries) disk.entries.push(entry);
          }
        },
        committedEntry: (c, i) => c.log.get(i),
        serving: (c) => c.log.term(c.commitIndex) === c.currentTerm,
      },
      options,
    );
  }
}
