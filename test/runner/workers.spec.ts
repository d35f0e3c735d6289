// The client workers against an in-process fake client (no cluster): phases play in order on
// every thread and are all recorded; generators see their completions; an info makes a fresh
// process; a phase's deadline gives up what is in flight as info; the seed fixes each thread's
// operations; a node whose client cannot be opened gets failed operations (`no-client: <why>`),
// one warning, and backoff instead of a tight loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client, ClientFactory, Invocation } from '../../src/api/client.js';
import type { Cluster } from '../../src/api/cluster.js';
import type { GenContext, GenEvent, GenStep, Generator } from '../../src/api/generator.js';
import type { Op } from '../../src/api/op.js';
import { fromContext, limit, once, repeat, seq } from '../../src/gen/combinators.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { Journal } from '../../src/history/journal.js';
import { PhaseDeadline, Workers } from '../../src/runner/workers.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nodes = ['n1', 'n2'];
const cluster = { nodes, clientAddresses: { n1: 'x:1', n2: 'x:2' } } as unknown as Cluster;

/** `hang` never answers (until aborted), `boom` throws, `rng` answers with a random number, anything else is ok. */
const clients: ClientFactory = {
  async open(): Promise<Client> {
    return {
      async invoke(op: Invocation, signal: AbortSignal) {
        if (op.f === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
        if (op.f === 'boom') throw new Error('connection lost');
        return { type: 'ok', value: op.value };
      },
      close: async () => undefined,
    };
  },
};

let runs = 0;
async function play(threads: number, phases: { phase: 'setup' | 'main' | 'final'; generator: Generator; stopAfterMs?: number; giveUpAfterMs?: number }[], seed = 1): Promise<Op[]> {
  const file = join(dir, `h${runs++}.jsonl`);
  const journal = new Journal(file);
  const workers = new Workers({ clients, cluster, journal, seed, concurrency: threads, rate: 100_000, opTimeoutMs: 5000, clientOptions: {}, abort: new AbortController().signal });
  try {
    for (const p of phases) {
      const giveUp = new AbortController();
      const stop = new AbortController();
      const timers = [
        p.stopAfterMs !== undefined && setTimeout(() => stop.abort(), p.stopAfterMs),
        p.giveUpAfterMs !== undefined &&
          setTimeout(() => {
            giveUp.abort(new PhaseDeadline(`the ${p.phase} phase ended`));
            stop.abort();
          }, p.giveUpAfterMs),
      ];
      await workers.runPhase({ phase: p.phase, generator: p.generator, stop: stop.signal, giveUp: giveUp.signal });
      for (const t of timers) if (t) clearTimeout(t);
    }
  } finally {
    await workers.close();
    journal.close();
  }
  return (await readHistoryFile(file)).ops;
}

describe('workers', () => {
  it('play setup, main and final in order on every thread, all in the history', async () => {
    const setup = fromContext((ctx) => (ctx.thread === 0 ? seq(once({ f: 'init', key: 'a', value: 0 }), once({ f: 'init', key: 'b', value: 0 })) : seq()));
    const main = repeat((ctx) => ({ f: 'work', value: ctx.thread }));
    const final = once((ctx) => ({ f: 'final-read', value: ctx.node }));
    const ops = await play(4, [
      { phase: 'setup', generator: setup },
      { phase: 'main', generator: main, stopAfterMs: 100 },
      { phase: 'final', generator: final },
    ]);
    const order = ops.map((o) => o.f);
    const last = (f: string): number => order.lastIndexOf(f);
    expect(ops.filter((o) => o.f === 'init' && o.type === 'ok')).toHaveLength(2);
    expect(last('init')).toBeLessThan(order.indexOf('work'));
    expect(last('work')).toBeLessThan(order.indexOf('final-read'));
    expect(ops.filter((o) => o.f === 'final-read' && o.type === 'ok').map((o) => o.value).sort()).toEqual(['n1', 'n1', 'n2', 'n2']);
  });

  it('tell generators how their operations ended; after an info the thread is a fresh process', async () => {
    const seen: string[] = [];
    class Steer implements Generator {
      constructor(private readonly step = 0) {}
      op(): GenStep {
        if (this.step >= 3) return null;
        return { op: { f: this.step === 1 ? 'boom' : 'ok', value: this.step }, gen: this };
      }
      update(ctx: GenContext, event: GenEvent): Generator {
        seen.push(`${event.type}@${ctx.process}`);
        return new Steer(this.step + 1);
      }
    }
    const ops = await play(2, [{ phase: 'main', generator: new Steer() }]);
    expect(seen.filter((s) => s.startsWith('info'))).toEqual(['info@2', 'info@3']);
    const thread0 = ops.filter((o) => o.process === 0 || o.process === 2);
    expect(thread0.map((o) => `${o.type}:${o.process}`)).toEqual(['invoke:0', 'ok:0', 'invoke:0', 'info:0', 'invoke:2', 'ok:2']);
    expect(thread0[3]?.error).toMatch(/indeterminate: connection lost/);
  });

  it('a phase that cannot finish ends at its deadline, the operations in flight recorded as info', async () => {
    const ops = await play(3, [{ phase: 'final', generator: once({ f: 'hang', value: null }), giveUpAfterMs: 200 }]);
    const infos = ops.filter((o) => o.type === 'info');
    expect(infos).toHaveLength(3);
    for (const o of infos) expect(o.error).toMatch(/the final phase ended/);
  });

  it('the seed fixes every thread\'s operations', async () => {
    const gen = limit(20, repeat((ctx) => ({ f: 'x', value: ctx.rng.int(1000) })));
    const values = async (seed: number): Promise<unknown[]> =>
      (await play(3, [{ phase: 'main', generator: gen }], seed)).filter((o) => o.type === 'invoke').sort((a, b) => Number(a.process) - Number(b.process) || a.index - b.index).map((o) => o.value);
    const a = await values(9);
    expect(await values(9)).toEqual(a);
    expect(await values(10)).not.toEqual(a);
  });
});

describe('workers whose client cannot be opened', () => {
  /** Clients of n1 work; opening one to n2 always fails. */
  const refusing: ClientFactory = {
    async open(ctx) {
      if (ctx.node === 'n2') throw new Error(`connect ECONNREFUSED ${ctx.address}`);
      return { invoke: async () => ({ type: 'ok', value: null }), close: async () => undefined };
    },
  };
  const addressed = { nodes, clientAddresses: { n1: '127.0.0.1:1', n2: '127.0.0.1:2' } } as unknown as Cluster;

  it('record each operation as failed with why, warn once per node, and back off', async () => {
    const file = join(dir, 'no-client.jsonl');
    const journal = new Journal(file);
    const warnings: string[] = [];
    const runMs = 2000;
    const seen: string[] = [];
    const spy: Generator = {
      op() {
        return { op: { f: 'write', key: '1', value: 1 }, gen: this };
      },
      update(_ctx, event) {
        seen.push(event.error ?? event.type);
        return this;
      },
    };
    const workers = new Workers({ clients: refusing, cluster: addressed, journal, seed: 1, concurrency: 2, rate: 400, opTimeoutMs: 500, clientOptions: {}, abort: new AbortController().signal, warn: (text) => warnings.push(text) });
    await workers.runPhase({ phase: 'main', generator: spy, stop: AbortSignal.timeout(runMs) });
    await workers.close();
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
    // The generator is told of those failures too.
    expect(seen.filter((s) => s.startsWith('no-client'))).toHaveLength(onN2.length / 2);
    // Backoff doubling from 100 ms: at most 100+200+400+800 ms of waits fit before the 4th retry.
    expect(onN2.length / 2).toBeLessThanOrEqual(5);
    expect(ops.filter((op) => op.node === 'n1' && op.type === 'ok').length).toBeGreaterThan(10);
  });
});
