/**
 * The client protocol of gossip-counter nodes: the bundled nodes' newline-delimited JSON
 * (src/node/kv/protocol.ts) with two requests.
 *
 *   → {"id":1,"f":"add","value":3}     ← {"id":1,"type":"ok","value":3}
 *   → {"id":2,"f":"read"}              ← {"id":2,"type":"ok","value":17}
 *   → {"id":3,"f":"status"}            ← {"id":3,"type":"ok","value":{"id":"n1","value":17}}
 */
import type { Invocation } from '../../src/api/client.js';
import { parseRequestWith, type ParsedRequest } from '../../src/node/kv/protocol.js';

export type CounterRequest = { f: 'add'; value: number } | { f: 'read' };

/** Check one request line. */
export function parseCounterRequest(line: string): ParsedRequest<CounterRequest> {
  return parseRequestWith<CounterRequest>(line, (r, id) => {
    if (r.f === 'read') return { kind: 'kv', id, req: { f: 'read' } };
    if (r.f !== 'add') return { kind: 'bad', id, message: `unknown f ${JSON.stringify(r.f)}` };
    if (typeof r.value !== 'number' || !Number.isSafeInteger(r.value)) return { kind: 'bad', id, message: 'add needs an integer value' };
    return { kind: 'kv', id, req: { f: 'add', value: r.value } };
  });
}

/** The request for a `counter` workload operation (`final-read` is a read in the final phase). */
export function counterRequest(op: Invocation): CounterRequest {
  if (op.f === 'read' || op.f === 'final-read') return { f: 'read' };
  if (op.f === 'add' && typeof op.value === 'number') return { f: 'add', value: op.value };
  throw new Error(`the counter client cannot do "${op.f}" with ${JSON.stringify(op.value)}`);
}
