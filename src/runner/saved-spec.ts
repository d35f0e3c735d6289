/**
 * A TestSpec read back from a run directory (test.json, results.json), brought up to the current
 * shape: runs saved before host backends existed ran on `--hosts local`, on the fault proxy unless
 * they say otherwise, and stored a node count instead of node names.
 */
import type { TestSpec } from '../api/test-spec.js';
import { savedNodes } from './node-names.js';

export function upgradeSpec(saved: object): TestSpec {
  const spec = saved as Partial<TestSpec> & { nodes?: unknown };
  return {
    ...(spec as TestSpec),
    nodes: savedNodes(spec.nodes),
    // What such runs ran on, whatever the default is now (and without loading the registry of plug-ins).
    hosts: spec.hosts ?? 'local',
    net: spec.net ?? 'proxy',
    hostOptions: spec.hostOptions ?? {},
  };
}
