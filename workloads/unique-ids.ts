/**
 * `unique-ids` (Maelstrom's unique-ids workload): every thread asks its node for fresh ids
 * (`generate`), which must be unique across the whole cluster, partitions or not; checkers
 * `unique-ids` and `stats`.
 */
import type { WorkloadDef } from '../src/api/workload.js';
import { repeat } from '../src/gen/combinators.js';
import { uniqueIds as uniqueIdsChecker } from '../checkers/unique-ids.js';
import { stats } from '../checkers/stats.js';

export const uniqueIds: WorkloadDef = {
  name: 'unique-ids',
  description: "generate ids on every node; checked that no id is handed out twice cluster-wide (Maelstrom's unique-ids, and stats)",
  build: () => ({
    generator: repeat(() => ({ f: 'generate', value: null })),
    checkers: { 'unique-ids': uniqueIdsChecker(), stats: stats() },
  }),
};
