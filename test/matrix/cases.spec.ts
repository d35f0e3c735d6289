/** Which tests `faultline matrix` runs, from the bundled systems' declared bugs. */
import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../../src/cli/matrix.js';
import { matrixCases } from '../../src/matrix/cases.js';
import { systems } from '../../src/registry.js';

describe('matrixCases', () => {
  it('runs every system with known bugs: each bug under its nemeses, then the correct system under all of them', () => {
    const cases = matrixCases(systems, { correct: true });
    const chosen = new Set(cases.map((c) => c.system));
    for (const name of ['raft-kv', 'multi-paxos-kv', 'primary-backup', 'sharded-kv', 'gossip-counter']) expect(chosen).toContain(name);
    // Without known bugs: not replicated (memory-kv), or needing root (etcd); --systems names them.
    expect(chosen).not.toContain('memory-kv');
    expect(chosen).not.toContain('etcd');
    expect(cases.filter((c) => c.system === 'raft-kv')).toEqual([
      { system: 'raft-kv', bug: 'stale-read', nemeses: ['partition-primary'], workload: 'register' },
      { system: 'raft-kv', bug: 'no-fsync-vote', nemeses: ['election-crash'], workload: 'register' },
      { system: 'raft-kv', bug: 'commit-without-majority', nemeses: ['partition-primary'], workload: 'register' },
      { system: 'raft-kv', bug: 'no-log-recovery', nemeses: ['kill-all'], workload: 'register' },
      { system: 'raft-kv', bug: null, nemeses: ['partition-primary', 'election-crash', 'kill-all'], workload: 'register' },
    ]);
    expect(cases.find((c) => c.system === 'gossip-counter')?.workload).toBe('counter');
  });

  it('narrows to the systems and bugs named; the correct system then runs under those bugs\' nemeses', () => {
    expect(matrixCases(systems, { systems: ['primary-backup'], bugs: ['ack-before-persist'], correct: true })).toEqual([
      { system: 'primary-backup', bug: 'ack-before-persist', nemeses: ['kill-all'], workload: 'register' },
      { system: 'primary-backup', bug: null, nemeses: ['kill-all'], workload: 'register' },
    ]);
    expect(matrixCases(systems, { systems: ['memory-kv'], correct: true })).toEqual([{ system: 'memory-kv', bug: null, nemeses: ['partition'], workload: 'register' }]);
    expect(matrixCases(systems, { systems: ['raft-kv'], bugs: ['stale-read'], correct: false })).toHaveLength(1);
  });

  it('refuses an unknown system or a bug no chosen system has, in one line', () => {
    expect(() => matrixCases(systems, { systems: ['raft'], correct: true })).toThrow(/unknown system 'raft'/);
    expect(() => matrixCases(systems, { systems: ['raft-kv'], bugs: ['no-epoch-check'], correct: true })).toThrow(/--bugs names no-epoch-check, which no chosen system has/);
  });
});

describe('--seeds', () => {
  it('takes a count or a list', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('7, 9')).toEqual([7, 9]);
    for (const bad of ['0', 'x', '1,,2', '2,2', '-1']) expect(() => parseSeeds(bad), bad).toThrow(/--seeds/);
  });
});
