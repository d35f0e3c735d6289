/**
 * Client workers against a node whose client factory throws on open: the history shows each
 * operation that could not be sent (failed, `no-client: <why>`), the run is told why once per
 * node, and the workers back off instead of retrying in a tight loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientFactory } from '../../src/api/client.js';
import type { Cluster } from '../../src/api/cluster.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { Journal } from '../../src/history/journal.js';
import { runWorkers } from '../../src/runner/workers.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notUsed = (): never => {
  throw new Error('not used by workers');
};

const cluster: Cluster = {
  nodes: ['n1', 'n2'],
  clientAddresses: { n1: '127.0.0.1:1', n2: '127.0.0.1:2' },
  start: notUsed,
  stop: notUsed,
  kill: notUsed,
  pause: notUsed,
  resume: notUsed,
  isRunning: () => true,
  setClockOffset: notUsed,
  primary: notUsed,
  logFiles: () => [],
};

/** Clients of n1 work; opening one to n2 always fails. */
const clients: ClientFactory = {
  async open(ctx) {
    if (ctx.node === 'n2') throw new Error(`connect ECONNREFUSED ${ctx.address}`);
    return { invoke: async () => ({ type: 'ok', value: null }), close: async () => undefined };
  },
};

describe('workers whose client cannot be opened', () => {
  it('record each operation as failed with why, warn once per node, and back off', async () => {
    const file = join(dir, 'history.jsonl');
    const journal = new Journal(file);
    const warnings: string[] = [];
    const runMs = 2000;
    await runWorkers({
      clients,
      cluster,
      generator: () => () => ({ f: 'write', key: '1', value: 1 }),
      journal,
      seed: 1,
      concurrency: 2,
      rate: 400,
      opTimeoutMs: 500,
      stop: AbortSignal.timeout(runMs),
      abort: new AbortController().signal,
      warn: (text) => warnings.push(text),
    });
    journal.close();
    expect(warnings).toEqual([
      'cannot open a client to n2 at 127.0.0.1:2: connect ECONNREFUSED 127.0.0.1:2; its operations fail (no-client) while clients retry with backoff',
    ]);
    const { ops } = await readHistoryFile(file);
    const onN2 = ops.filter((op) => op.node === 'n2');
    expect(onN2.length).toBeGreaterThan(0);
    for (let i = 0; i < onN2.length; i += 2) {
      expect(onN2[i]).toMatchObject({ type: 'invoke', f: 'write' });
      expect(onN2[i + 1]).toMatchObject({ type: 'fail', f: 'write', error: 'no-client: connect ECONNREFUSED 127.0.0.1:2' });
    }
    // Backoff doubling from 100 ms: at most 100+200+400+800 ms of waits fit before the 4th retry.
    expect(onN2.length / 2).toBeLessThanOrEqual(5);
    expect(ops.filter((op) => op.node === 'n1' && op.type === 'ok').length).toBeGreaterThan(10);
  });
});
