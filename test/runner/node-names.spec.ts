import { describe, expect, it } from 'vitest';
import { nodeNames, nodesArgument, parseNodes, savedNodes } from '../../src/runner/node-names.js';
import { upgradeSpec } from '../../src/runner/saved-spec.js';
import { UserError } from '../../src/user-error.js';
import { testSpec } from '../helpers/spec.js';

describe('--nodes', () => {
  it('takes a count or names', () => {
    expect(parseNodes('3')).toEqual(['n1', 'n2', 'n3']);
    expect(parseNodes(' 2 ')).toEqual(['n1', 'n2']);
    expect(parseNodes('a,b.example, db-3')).toEqual(['a', 'b.example', 'db-3']);
    expect(parseNodes('10.0.0.1,10.0.0.2')).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it.each([
    ['0', /positive whole number/],
    ['1.5', /positive whole number/],
    ['101', /at most 100/],
    ['a,a', /names a twice/],
    ['a,,b', /'' cannot name a node/],
    ['clients', /'clients' cannot name a node/],
    ['a b', /'a b' cannot name a node/],
    ['-a', /'-a' cannot name a node/],
    ['../x', /cannot name a node/],
  ])('refuses %s', (value, message) => {
    expect(() => parseNodes(value)).toThrow(UserError);
    expect(() => parseNodes(value)).toThrow(message);
  });

  it('gives the command line back: a count for n1..nN, else the names', () => {
    expect(nodesArgument(nodeNames(5))).toBe('5');
    expect(nodesArgument(['n2', 'n1'])).toBe('n2,n1');
    expect(nodesArgument(['a', 'b'])).toBe('a,b');
    for (const nodes of [nodeNames(7), ['x', 'y'], ['n1', 'n3']]) expect(parseNodes(nodesArgument(nodes))).toEqual(nodes);
  });
});

describe('saved specs', () => {
  it('upgrades a run saved with a node count and no host backend', () => {
    const { hosts: _hosts, hostOptions: _options, ...old } = testSpec();
    const upgraded = upgradeSpec({ ...old, nodes: 3, net: undefined });
    expect(upgraded).toEqual({ ...testSpec(), nodes: ['n1', 'n2', 'n3'] });
    expect(upgradeSpec({ ...testSpec({ net: 'netns' }) }).net).toBe('netns');
    expect(savedNodes(['a', 'b'])).toEqual(['a', 'b']);
    expect(savedNodes('five')).toBe('five'); // left for resolving to refuse
  });
});
