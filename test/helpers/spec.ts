/** A complete TestSpec for tests that resolve or run tests without the CLI; override what matters. */
import type { TestSpec } from '../../src/api/test-spec.js';
import { nodeNames } from '../../src/runner/node-names.js';

export function testSpec(overrides: Partial<TestSpec> = {}): TestSpec {
  return {
    name: 'spec',
    cluster: 'raft-kv',
    workload: 'register',
    nemeses: [],
    bugs: [],
    clusterOptions: {},
    nodes: nodeNames(5),
    concurrency: 4,
    timeLimitS: 15,
    recoveryS: 2,
    seed: 1,
    rate: 50,
    nemesisIntervalS: 3,
    opTimeoutMs: 1000,
    keyCount: 3,
    opsPerKey: 30,
    checkerTimeoutS: 30,
    resultsRoot: 'results',
    hosts: 'local',
    net: 'proxy',
    hostOptions: {},
    ...overrides,
  };
}
