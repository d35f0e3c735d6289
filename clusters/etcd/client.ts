/**
 * The register client of etcd: read, write and cas on a key through the JSON gateway. Reads are
 * linearizable (etcd's default, a quorum read) unless the run asks for serializable reads.
 *
 * Error contract: a read that fails changed nothing, so it is `fail`; a write or cas whose answer
 * is an error or never came may still have been committed (etcd's "request timed out" and
 * "leader changed" are indefinite), so it throws and is recorded as `info`. A cas whose compare
 * did not hold is a definite `fail`.
 */
import type { Client, ClientContext, ClientFactory, Invocation } from '../../src/api/client.js';
import type { Completion } from '../../src/api/op.js';
import { compareAndPut, get, put } from './gateway.js';

const encode = (value: unknown): string => JSON.stringify(value);

export const registerClient: ClientFactory = {
    async open(ctx: ClientContext): Promise<Client> {
      const at = ctx.address;
      const serializable = ctx.options['etcd-serializable-reads'] === 'true';
      return {
        async invoke(op: Invocation, signal: AbortSignal): Promise<Completion> {
          const key = `register/${op.key ?? ''}`;
          if (op.f === 'read') {
            try {
              const value = await get(at, key, serializable, signal);
              return { type: 'ok', value: value === null ? null : (JSON.parse(value) as unknown) };
            } catch (err) {
              return { type: 'fail', value: null, error: err instanceof Error ? err.message : String(err) };
            }
          }
          if (op.f === 'write') {
            await put(at, key, encode(op.value), signal);
            return { type: 'ok', value: op.value };
          }
          if (op.f === 'cas') {
            const [from, to] = op.value as [unknown, unknown];
            const done = await compareAndPut(at, key, encode(from), encode(to), signal);
            return done ? { type: 'ok', value: op.value } : { type: 'fail', value: op.value, error: 'compare failed' };
          }
          throw new Error(`etcd register client: unknown operation '${op.f}'`);
        },
        async close(): Promise<void> {},
      };
    },
};
