/** The `unique-ids` and `echo` checkers (Maelstrom's checks of those workloads). */
import { describe, expect, it } from 'vitest';
import type { Op, OpType } from '../../src/api/op.js';
import { checkEcho } from '../../checkers/echo.js';
import { checkUniqueIds } from '../../checkers/unique-ids.js';

function history(...pairs: [f: string, sent: unknown, type: OpType, got: unknown, node?: string][]): Op[] {
  const ops: Op[] = [];
  pairs.forEach(([f, sent, type, got, node], process) => {
    ops.push({ index: ops.length, time: ops.length, type: 'invoke', process, f, value: sent, ...(node && { node }) });
    ops.push({ index: ops.length, time: ops.length, type, process, f, value: got, ...(node && { node }) });
  });
  return ops;
}

describe('unique-ids checker', () => {
  it('accepts distinct ids, telling 1 from "1", and ignores generates that did not complete ok', () => {
    const r = checkUniqueIds(history(['generate', null, 'ok', 1], ['generate', null, 'ok', '1'], ['generate', null, 'info', 1], ['generate', null, 'fail', 1]));
    expect(r).toMatchObject({ valid: true, summary: 'all 2 generated ids are distinct' });
  });

  it('names both operations that were given the same id, and flags a generate without an id', () => {
    const r = checkUniqueIds(history(['generate', null, 'ok', 'n1-1', 'n1'], ['generate', null, 'ok', 'n1-1', 'n2'], ['generate', null, 'ok', null]));
    expect(r.valid).toBe(false);
    expect(r.summary).toBe('2 of 3 generated ids are duplicates or missing');
    expect(r.anomalies!.map((a) => a.summary)).toEqual(['op #2 (process 1 on n2) generated "n1-1", which op #0 (process 0 on n1) generated too', 'op #4 (process 2) generated no id']);
    expect(r.anomalies![0]!.ops.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });
});

describe('echo checker', () => {
  it('accepts echoes that returned what they sent, compared as JSON', () => {
    expect(checkEcho(history(['echo', 'a', 'ok', 'a'], ['echo', { x: [1] }, 'ok', { x: [1] }], ['echo', 'b', 'info', null])).valid).toBe(true);
  });

  it('flags an echo that returned something else', () => {
    const r = checkEcho(history(['echo', 'a', 'ok', 'a'], ['echo', 'b', 'ok', 'c']));
    expect(r.valid).toBe(false);
    expect(r.anomalies![0]!.summary).toBe('op #2 (process 1) sent "b" and got back "c"');
  });
});
