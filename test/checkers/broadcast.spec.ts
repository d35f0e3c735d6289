/**
 * The broadcast checker: acknowledged values must be in every node's final read, nothing read may
 * be a value nobody broadcast (during the run too), a node with no final read makes the verdict
 * unknown; stale reads and stable latencies are counted as Maelstrom reports them. A property:
 * histories of a broadcast that reaches every node before any later read are valid with no stale
 * read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { checkBroadcast } from '../../checkers/broadcast/index.js';

const MS = 1_000_000;

class History {
  readonly ops: Op[] = [];
  push(type: OpType, process: number, f: string, value: unknown, node: string): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * MS, type, process, f, value, node });
    return this;
  }
  broadcast(p: number, v: number, type: 'ok' | 'fail' | 'info' = 'ok', node = 'n1'): this {
    return this.push('invoke', p, 'broadcast', v, node).push(type, p, 'broadcast', v, node);
  }
  read(p: number, values: number[], node = 'n1', f = 'read'): this {
    return this.push('invoke', p, f, null, node).push('ok', p, f, values, node);
  }
  finals(values: number[], nodes = ['n1', 'n2']): this {
    nodes.forEach((n, i) => this.read(10 + i, values, n, 'final-read'));
    return this;
  }
}

describe('broadcast checker', () => {
  it('is valid when every node finally reads every acknowledged value; counts stale reads and stable latency', () => {
    const h = new History().broadcast(0, 1).read(1, [], 'n2').broadcast(0, 2, 'info').read(1, [1], 'n2').finals([1, 2]);
    const r = checkBroadcast(h.ops);
    expect(r.valid).toBe(true);
    // The first read (ops 2-3) began after 1 was acknowledged and lacked it: stale, and 1 was stable from op 3 on.
    expect(r.stats).toMatchObject({ ok: 1, recovered: 1, lost: 0, reads: 2, 'stale-reads': 1, 'stable-latency-max-ms': 3 });
    expect(r.summary).toMatch(/none lost or unexpected; stable latency median 3 ms, p95 3 ms, max 3 ms; 1 stale reads$/);
  });

  it("finds an acknowledged value missing from a node's final read", () => {
    const r = checkBroadcast(new History().broadcast(0, 1).broadcast(0, 2).read(10, [1, 2], 'n1', 'final-read').read(11, [1], 'n2', 'final-read').ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies?.[0]).toMatchObject({ kind: 'lost', summary: expect.stringMatching(/element 2 was acknowledged .* through n2 lacks it/) });
  });

  it('finds a value nobody broadcast, in a read during the run', () => {
    const r = checkBroadcast(new History().broadcast(0, 1).read(1, [1, 7], 'n2').finals([1]).ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies?.[0]).toMatchObject({ kind: 'unexpected', summary: 'the read op #2 returned 7, which nobody broadcast' });
  });

  it('is unknown when a node that served the run has no final read', () => {
    const r = checkBroadcast(new History().broadcast(0, 1, 'ok', 'n3').finals([1]).ops);
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/node n3 had no final read$/);
  });

  it('is unknown on a history that is not one of broadcasts', () => {
    expect(checkBroadcast(new History().broadcast(0, 1.5).ops).valid).toBe('unknown');
  });

  it('a broadcast that reaches every node before any later read: valid, no stale read (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom('n1', 'n2', 'n3')), { maxLength: 40 }), (steps) => {
        const h = new History();
        const sent: number[] = [];
        steps.forEach(([isBroadcast, node], i) => {
          if (isBroadcast) h.broadcast(0, sent.push(i) && i, 'ok', node);
          else h.read(1, [...sent], node);
        });
        h.finals(sent, ['n1', 'n2', 'n3']);
        const r = checkBroadcast(h.ops);
        expect(r.valid).toBe(true);
        expect(r.stats?.['stale-reads']).toBe(0);
      }),
    );
  });
});
