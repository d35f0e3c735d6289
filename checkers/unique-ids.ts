/**
 * `unique-ids` (Maelstrom's unique-ids check): every id a `generate` returned ok is one no other
 * `generate` returned, cluster-wide, and is an id at all (not null). Ids are compared as JSON, so
 * `1` and `"1"` are different ids, as they are on the wire.
 */
import type { Anomaly, CheckResult, Checker } from '../src/api/checker.js';
import type { Op } from '../src/api/op.js';
import { okPairs, opLabel as where } from './ok-pairs.js';

/** Anomalies kept; the count of all is in the stats. */
const KEEP = 8;

export function uniqueIds(): Checker {
  return { name: 'unique-ids', check: async (history) => checkUniqueIds(history) };
}

export function checkUniqueIds(history: readonly Op[]): CheckResult {
  const first = new Map<string, { invoke: Op; completion: Op }>();
  const anomalies: Anomaly[] = [];
  const generates = okPairs(history, 'generate');
  const generated = generates.length;
  let bad = 0;
  for (const { invoke, completion } of generates) {
    const id = completion.value;
    if (id === null || id === undefined) {
      bad++;
      if (anomalies.length < KEEP) anomalies.push({ kind: 'no-id', summary: `${where(invoke)} generated no id`, ops: [invoke, completion], explanation: `${where(invoke)} completed ok without an id.` });
      continue;
    }
    const text = JSON.stringify(id);
    const earlier = first.get(text);
    if (!earlier) {
      first.set(text, { invoke, completion });
      continue;
    }
    bad++;
    if (anomalies.length < KEEP) {
      anomalies.push({
        kind: 'duplicate-id',
        summary: `${where(invoke)} generated ${text}, which ${where(earlier.invoke)} generated too`,
        ops: [earlier.invoke, earlier.completion, invoke, completion],
        explanation: `Ids must be unique across the cluster, yet ${where(earlier.invoke)} and ${where(invoke)} were both given ${text}.`,
      });
    }
  }
  const stats = { generated, 'bad-ids': bad };
  if (bad === 0) return { valid: true, summary: `all ${generated} generated ids are distinct`, stats };
  return { valid: false, summary: `${bad} of ${generated} generated ids are duplicates or missing`, anomalies, stats };
}
