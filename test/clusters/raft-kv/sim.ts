/**
 * raft-kv in the deterministic simulation (../sim.ts): Raft cores, disks holding the hard state
 * and the log, and the shared invariants (one leader per term, committed entries never change).
 */
import { makeConfig, type RaftConfig } from '../../../clusters/raft-kv/config.js';
import type { Entry } from '../../../clusters/raft-kv/log.js';
import type { RaftMessage } from '../../../clusters/raft-kv/messages.js';
import { Raft, type HardState, type Ready } from '../../../clusters/raft-kv/raft.js';
import type { RaftBugName } from '../../../src/node/raft/config.js';
import type { ElectionKind } from '../../../src/node/raft/election.js';
import { CoreSim, type SimOptions } from '../sim.js';

export { mulberry32 } from '../sim.js';

interface Disk {
  hardState?: HardState;
  entries: Entry[];
}

export interface RaftSimOptions extends SimOptions {
  bugs?: string[];
  readMode?: string;
  /** The shared core's election (raft-kv itself offers only Raft's). */
  election?: ElectionKind;
}

function raftConfig(id: string, ids: readonly string[], options: RaftSimOptions): RaftConfig {
  // bully-no-term is a bug of the core's bully election that raft-kv does not offer: switched on here directly.
  const noTerm = options.bugs?.includes('bully-no-term') ?? false;
  const opts: Parameters<typeof makeConfig>[2] = { bugs: (options.bugs ?? []).filter((b) => b !== 'bully-no-term') };
  if (options.readMode) opts.readMode = options.readMode;
  const cfg = makeConfig(id, ids, opts);
  const bugs = { has: (bug: RaftBugName) => (bug === 'bully-no-term' && noTerm) || cfg.bugs.has(bug) };
  return { ...cfg, bugs, election: noTerm ? 'bully' : (options.election ?? 'raft') };
}

export class Sim extends CoreSim<RaftMessage, Ready, Raft, Disk> {
  constructor(private readonly options: RaftSimOptions = {}) {
    super(
      {
        emptyDisk: () => ({ entries: [] }),
        boot: (id, ids, env, disk) => {
          const persisted = { entries: [...disk.entries], ...(disk.hardState ? { hardState: { ...disk.hardState } } : {}) };
          return new Raft(raftConfig(id, ids, options), env, persisted);
        },
        persist: (disk, rd) => {
          if (rd.hardState) disk.hardState = { ...rd.hardState };
          if (rd.log) {
            disk.entries.length = Math.min(disk.entries.length, rd.log.from - 1);
            for (const entry of rd.log.entries) disk.entries.push(entry);
          }
        },
        committedEntry: (r, i) => r.log.get(i),
        serving: (r) => r.log.term(r.commitIndex) === r.currentTerm,
      },
      options,
    );
  }

  config(id: string): RaftConfig {
    return raftConfig(id, this.ids, this.options);
  }

  raft(id: string): Raft {
    return this.core(id);
  }
}
