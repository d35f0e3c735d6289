/**
 * One formatter for fault operations, as planned and as done, for every bundled nemesis: the
 * terminal, the report and JUnit all read the same words; a primary-targeted fault reads
 * `the primary` in the plan and names the node hit once done; a long schedule prints as a
 * summary.
 */
import { describe, expect, it, vi } from 'vitest';
import { clock } from '../../nemeses/clock.js';
import { kill } from '../../nemeses/kill.js';
import { latency, loss } from '../../nemeses/latency.js';
import { partition } from '../../nemeses/partition.js';
import { pause } from '../../nemeses/pause.js';
import { rollingRestart } from '../../nemeses/rolling-restart.js';
import { Rng } from '../../src/gen/rng.js';
import { ConsoleUi } from '../../src/report/console.js';
import { describeFault, plural, scheduleLines } from '../../src/report/fault-text.js';
import { fixtureSpec } from '../fixtures/report-run.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('describeFault', () => {
  it.each([
    ['start-partition', { shape: 'isolate-primary', grudge: { n3: ['n1'] } }, 'isolate the primary'],
    ['start-partition', { shape: 'random-halves', grudge: { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] } }, 'partition random-halves: n1,n2 | n3'],
    ['stop-partition', undefined, 'heal the partition'],
    ['start-kill', { target: 'primary', nodes: ['n4'] }, 'kill the primary'],
    ['start-kill', { target: 'minority', nodes: ['n2', 'n4'] }, 'kill n2, n4 (minority)'],
    ['start-pause', { target: 'all', nodes }, 'pause all nodes'],
    ['stop-kill', null, 'restart the killed nodes'],
    ['start-clock', { kind: 'skew', target: 'primary', offsets: { n2: -2000 } }, "skew the primary's clock -2 s"],
    ['start-clock', { kind: 'skew', offsets: { n1: 30500, n3: -200 } }, 'skew clocks: n1 +30.5 s, n3 -0.2 s'],
    ['start-clock', { kind: 'strobe', node: 'n3', deltaMs: 5000, periodMs: 100, forMs: 2000 }, "strobe n3's clock ±5 s every 100 ms for 2 s"],
    ['start-latency', { latencyMs: 100, jitterMs: 20, node: 'n2' }, 'delay links to and from n2 by 100–120 ms'],
    ['start-loss', { loss: 0.12 }, 'lose 12 % of traffic on all links'],
    ['start-rolling-restart', { nodes: ['n2', 'n1'], gapMs: 500 }, 'restart n2, n1 in turn, 500 ms apart'],
    ['heal', null, 'heal every fault'],
    ['heal', ['partition', 'kill'], 'heal every fault (partition, kill)'],
    ['start-kill', { target: 'primary', nodes: ['n3'], text: 'kill n3 (primary)' }, 'kill n3 (primary)'],
    ['start-custom', { level: 3, on: null }, 'start-custom level=3 on=null'],
  ])('%s %j reads "%s"', (f, value, text) => {
    expect(describeFault(f, value)).toBe(text);
  });

  it('has words for every start a bundled nemesis can draw (never raw JSON)', () => {
    for (const def of [partition, kill, pause, clock, latency, loss]) {
      const rng = Rng.derive(1, def.name);
      for (let i = 0; i < 50; i++) {
        const value = def.drawStart!(nodes, rng);
        const text = describeFault(`start-${def.name}`, value);
        expect(text, JSON.stringify(value)).not.toMatch(/[{}"]|=/);
      }
    }
    const walk = rollingRestart.schedule({ nodes, durationMs: 60_000, intervalMs: 10_000, rng: Rng.derive(1, 'r') })[0]!;
    expect(describeFault(walk.f, walk.value)).toMatch(/^restart (n\d, ){4}n\d in turn, \d+ ms apart$/);
  });

  it('counts in words', () => {
    expect(plural(1, 'node')).toBe('1 node');
    expect(plural(1200, 'fault operation')).toBe('1,200 fault operations');
  });
});

describe('schedules on the terminal', () => {
  it('prints a short schedule whole and a long one as a summary', () => {
    const short = [{ atMs: 1500, f: 'start-kill', value: { target: 'primary', nodes: ['n2'] } }];
    expect(scheduleLines(short)).toEqual(['    1.5 s  kill the primary']);
    const long = Array.from({ length: 1_000_000 }, (_, i) => ({ atMs: i, f: i % 2 ? 'stop-kill' : 'start-kill', value: i % 2 ? null : { target: 'one', nodes: ['n1'] } }));
    const lines = scheduleLines(long);
    expect(lines.length).toBeLessThan(30);
    expect(lines.join('\n')).toContain('999,975 more operations (start-kill ×500,000, stop-kill ×500,000 in all; every entry is in schedule.json)');
  });

  it('the run header says nodes and operations in words and stays short for a long schedule', () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const spec = { ...fixtureSpec('x'), nodes: ['n1'], concurrency: 1 };
      new ConsoleUi(false).header(spec, '/tmp/run', Array.from({ length: 1_000_000 }, (_, i) => ({ atMs: i, f: 'start-kill', value: { target: 'one', nodes: ['n1'] } })));
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain('1 node, 1 client,');
    expect(text).toContain('schedule (1,000,000 fault operations;');
    expect(text.split('\n').length).toBeLessThan(40);
  });
});
