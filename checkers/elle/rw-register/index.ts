/**
 * rw-register inference: from a history of writes and reads of registers with unique written
 * values, the wr edges (who read whose write), the ww and rw edges the inferable version orders
 * give, and the anomalies that need no cycle. Sound but partial: see versions.ts.
 */
import { int32, uint8 } from '../arena.js';
import type { CaseLog } from '../cases.js';
import type { DataAnalysis } from '../explainer.js';
import { EdgeList } from '../graph/edge-list.js';
import type { TxnHistory } from '../history.js';
import { IntVec } from '../int-vec.js';
import { LostUpdateCandidates, lostUpdates } from '../lost-update.js';
import { RegisterExplainer } from './explain.js';
import { scanRegisters, type ScanOutput } from './scan.js';
import { buildRegisterTables } from './tables.js';
import { buildVersions, registerEdgesInto } from './versions.js';

/** What rw-register histories may assume to order versions (Elle's options; all off by default). */
export interface RwRegisterOptions {
  /** rw-register: within a transaction, writes follow reads: reading v1 and then writing v2 puts v1 right before v2. */
  wfrKeys?: boolean;
  /** rw-register: each key is sequentially consistent: a process sees a key's versions in order. */
  sequentialKeys?: boolean;
}

export function analyzeRwRegister(h: TxnHistory, cases: CaseLog, opts: RwRegisterOptions): DataAnalysis {
  const tables = buildRegisterTables(h);
  const scan: ScanOutput = {
    cases,
    slotRead: int32(h.mopCount).fill(-1),
    slotExtWrite: uint8(h.mopCount),
    versionEdges: new EdgeList(),
    readerVersion: new IntVec(h.mopCount),
    readerTxn: new IntVec(h.mopCount),
    lost: new LostUpdateCandidates(),
  };
  scanRegisters(tables, scan, { wfrKeys: opts.wfrKeys === true, sequentialKeys: opts.sequentialKeys === true });
  lostUpdates(h, scan.lost, cases);
  const versions = buildVersions(tables, scan, cases);
  return {
    edgesInto: (t, b) => registerEdgesInto(tables, scan, versions, t, b),
    explainer: new RegisterExplainer(tables, versions),
    stats: { keys: tables.el.keys.length, versionEdges: versions.before.targets.length },
  };
}
