/** The hub of a Maelstrom cluster's traffic, faultline's stand-in for its primary (clusters/maelstrom/hub.ts). */
import { describe, expect, it } from 'vitest';
import { hubOf, TrafficMeter } from '../../../clusters/maelstrom/hub.js';

describe('the traffic meter', () => {
  it('counts messages per peer over about the last window, forgetting older ones', () => {
    const m = new TrafficMeter(2000);
    for (let t = 0; t < 10; t++) m.note('n2', t);
    m.note('n3', 1500);
    expect(m.counts(1500)).toEqual({ n2: 10, n3: 1 });
    expect(m.counts(2600)).toEqual({ n3: 1 });
    expect(m.counts(5000)).toEqual({});
  });
});

describe('the hub', () => {
  it('is the node the others talk with most, when it clearly leads', () => {
    expect(hubOf({ n1: { n2: 40, n3: 40 }, n2: { n1: 40 }, n3: { n1: 38, n2: 1 } })).toBe('n1');
    // A node that did not answer still counts through what the others report.
    expect(hubOf({ n1: undefined, n2: { n1: 40, n3: 2 }, n3: { n1: 38 } })).toBe('n1');
  });

  it('is none among equals, or with too little traffic to tell', () => {
    expect(hubOf({ n1: { n2: 30, n3: 30 }, n2: { n1: 30, n3: 30 }, n3: { n1: 30, n2: 30 } })).toBeUndefined();
    expect(hubOf({ n1: { n2: 3 }, n2: { n1: 3 }, n3: {} })).toBeUndefined();
    expect(hubOf({})).toBeUndefined();
  });
});
