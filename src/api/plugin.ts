/**
 * What a plug-in module exports (its default export): systems, workloads and nemeses that join
 * faultline's registry (src/registry.ts) when `--plugin` or `--cluster <path>` names the module.
 * A module whose default export is one system definition is a plug-in of that one system.
 * docs/plugins.md walks through writing one.
 */
import type { SystemDef } from './cluster.js';
import type { NemesisDef } from './nemesis.js';
import type { WorkloadDef } from './workload.js';

export interface Plugin {
  /** The `API_VERSION` (./index.ts) the plug-in was written against (1 when left out). */
  readonly apiVersion?: number;
  readonly systems?: readonly SystemDef[];
  readonly workloads?: readonly WorkloadDef[];
  readonly nemeses?: readonly NemesisDef[];
}
