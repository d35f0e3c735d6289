/** The set client over a register client: adds by read and cas, retried when another add won the race; outcomes by the error contract. */
import { describe, expect, it } from 'vitest';
import type { Client, ClientContext, ClientFactory, Invocation } from '../../../src/api/client.js';
import type { Completion } from '../../../src/api/op.js';
import { parseElements, setOverRegister } from '../../../src/node/kv/set-client.js';

const ctx: ClientContext = { node: 'n1', address: 'x', addresses: {}, process: 0, timeoutMs: 1000, options: {} };

/** An in-memory register; `before` runs before each request and may change the store or throw (a lost connection). */
function register(store: Map<string, string | null>, before: (op: Invocation, n: number) => void = () => undefined): ClientFactory {
  let n = 0;
  const client: Client = {
    async invoke(op): Promise<Completion> {
      before(op, n++);
      const key = op.key as string;
      const current = store.get(key) ?? null;
      if (op.f === 'read') return { type: 'ok', value: current };
      const [expected, next] = op.value as [string | null, string];
      if (current !== expected) return { type: 'fail', value: op.value, error: 'precondition-failed' };
      store.set(key, next);
      return { type: 'ok', value: op.value };
    },
    close: async () => undefined,
  };
  return { open: async () => client };
}

const signal = new AbortController().signal;

describe('set over a register', () => {
  it('appends each element and reads the set back as numbers', async () => {
    const store = new Map<string, string | null>();
    const c = await setOverRegister(register(store)).open(ctx);
    expect(await c.invoke({ f: 'add', key: 's', value: 3 }, signal)).toEqual({ type: 'ok', value: 3 });
    expect(await c.invoke({ f: 'add', key: 's', value: 8 }, signal)).toEqual({ type: 'ok', value: 8 });
    expect(store.get('s')).toBe('3,8');
    expect(await c.invoke({ f: 'read', key: 's', value: null }, signal)).toEqual({ type: 'ok', value: [3, 8] });
    expect(await c.invoke({ f: 'read', key: 't', value: null }, signal)).toEqual({ type: 'ok', value: [] });
    expect(parseElements('')).toEqual([]);
  });

  it('tries again when another add changed the set between its read and its cas, keeping both', async () => {
    const store = new Map<string, string | null>([['s', '1']]);
    // Another client adds 2 right after this one's first read.
    const c = await setOverRegister(register(store, (_op, n) => n === 1 && store.set('s', '1,2'))).open(ctx);
    expect(await c.invoke({ f: 'add', key: 's', value: 5 }, signal)).toEqual({ type: 'ok', value: 5 });
    expect(store.get('s')).toBe('1,2,5');
  });

  it('throws (info) when a cas may have applied, and fails once every cas surely failed and time is up', async () => {
    const lost = await setOverRegister(register(new Map(), (op) => {
      if (op.f === 'cas') throw new Error('connection lost');
    })).open(ctx);
    await expect(lost.invoke({ f: 'add', key: 's', value: 1 }, signal)).rejects.toThrow(/connection lost/);
    const store = new Map<string, string | null>();
    const contended = await setOverRegister(register(store, (op) => op.f === 'cas' && store.set('s', `${Math.random()}`))).open({ ...ctx, timeoutMs: 400 });
    expect(await contended.invoke({ f: 'add', key: 's', value: 1 }, signal)).toMatchObject({ type: 'fail', error: 'gave up: precondition-failed' });
  });
});
