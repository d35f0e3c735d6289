/**
 * List-append inference: from a history of appends and reads, the ww, wr and rw dependencies
 * between transactions and the anomalies that need no cycle (see tables.ts for how version
 * orders come from reads). Every pass is linear in the history's micro-operations.
 */
import type { CaseLog } from '../cases.js';
import type { DataAnalysis } from '../explainer.js';
import type { TxnHistory } from '../history.js';
import { appendEdgesInto, readersByState } from './edges.js';
import { AppendExplainer } from './explain.js';
import { scanReads } from './reads.js';
import { buildTables } from './tables.js';

export function analyzeListAppend(h: TxnHistory, cases: CaseLog): DataAnalysis {
  const tables = buildTables(h, cases);
  const readers = scanReads(tables, cases);
  const byState = readersByState(tables, readers);
  let appends = 0;
  for (let i = 0; i < tables.mopElem.length; i++) if (tables.mopElem[i]! >= 0) appends++;
  return {
    edgesInto: (t, b) => appendEdgesInto(tables, readers, byState, cases, t, b),
    explainer: new AppendExplainer(tables),
    stats: { keys: tables.el.keys.length, appends, reads: tables.mopElem.length - appends },
  };
}
