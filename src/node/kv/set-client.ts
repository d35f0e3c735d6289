/**
 * The `set` workload's client over any register client (read / cas on string keys): a set is a
 * register holding its elements as `1,5,9`; an add reads the register and compare-and-sets it to
 * the value with the element appended, again while another add changed it in between. A system
 * that serves `register` thereby serves `set` with nothing of its own.
 *
 * Outcomes keep the error contract (src/api/client.ts): `ok` once a cas succeeded; a throw
 * (`info`) as soon as any read or cas ends with an unknown outcome, since a cas in flight may yet
 * apply; `fail` only when every cas surely failed and the deadline (`timeoutMs`) is near, or a read
 * surely failed before any cas was sent.
 */
import type { Client, ClientContext, ClientFactory, Invocation } from '../../api/client.js';
import type { Completion } from '../../api/op.js';

/** Leave this much of the operation's time unused, so a definite failure is reported before the runner's timeout. */
const MARGIN_MS = 200;
/** Pause after a definite failure other than a lost race (no leader, unreachable) before trying again. */
const BACKOFF_MS = 50;

/** A set's elements from its register value (`null` when the key was never written). */
export function parseElements(value: unknown): number[] {
  if (value === null || value === undefined || value === '') return [];
  return String(value).split(',').map(Number);
}

export function setOverRegister(register: ClientFactory): ClientFactory {
  return {
    async open(ctx: ClientContext): Promise<Client> {
      const inner = await register.open(ctx);
      return {
        invoke: (op, signal) => (op.f === 'add' ? add(inner, ctx, op, signal) : read(inner, op, signal)),
        close: () => inner.close(),
      };
    },
  };
}

async function read(inner: Client, op: Invocation, signal: AbortSignal): Promise<Completion> {
  if (op.f !== 'read') throw new Error(`the set client cannot do "${op.f}"`);
  const done = await inner.invoke({ f: 'read', ...(op.key !== undefined && { key: op.key }), value: null }, signal);
  return done.type === 'ok' ? { type: 'ok', value: parseElements(done.value) } : done;
}

async function add(inner: Client, ctx: ClientContext, op: Invocation, signal: AbortSignal): Promise<Completion> {
  const key = op.key !== undefined ? { key: op.key } : {};
  const deadline = Date.now() + ctx.timeoutMs - MARGIN_MS;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const current = await inner.invoke({ f: 'read', ...key, value: null }, signal);
    if (current.type === 'ok') {
      const elements = parseElements(current.value);
      const next = [...elements, op.value].join(',');
      const cas = await inner.invoke({ f: 'cas', ...key, value: [current.value ?? null, next] }, signal);
      if (cas.type === 'ok') return { type: 'ok', value: op.value };
      last = cas.error ?? 'cas failed';
      // Lost the race to another add: try again at once; otherwise give the cluster a moment.
      if (/precondition/.test(last)) continue;
    } else {
      last = current.error ?? 'read failed';
    }
    await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS));
  }
  return { type: 'fail', value: op.value, error: `gave up: ${last}` };
}
