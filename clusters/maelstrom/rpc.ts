/**
 * The one request of a shim's client port (the bundled nodes' newline-delimited JSON,
 * src/node/kv/protocol.ts): a Maelstrom request body for the node, as from client `src`.
 *
 *   → {"id":1,"f":"rpc","value":{"src":"c3","body":{"type":"read","key":1,"msg_id":7}}}
 *   ← {"id":1,"type":"ok","value":{"type":"read_ok","value":4,"in_reply_to":7}}
 *   → {"id":2,"f":"status"}     ← {"id":2,"type":"ok","value":{"id":"n1"}}
 *
 * The shim answers with the node's reply body, whatever it says (an error body included); a
 * request the node never answers is never answered (the client times out).
 */
import type { WireRequest } from '../../src/node/kv/connection.js';
import { parseRequestWith, type ParsedRequest } from '../../src/node/kv/protocol.js';
import type { MaelstromBody } from './protocol.js';

export interface Rpc {
  src: string;
  body: MaelstromBody;
}

export interface RpcRequest extends WireRequest {
  f: 'rpc';
  value: Rpc;
}

/** Check one request line of a shim's client port. */
export function parseRpcRequest(line: string): ParsedRequest<Rpc> {
  return parseRequestWith<Rpc>(line, (r, id) => {
    const v = r.value as Record<string, unknown> | null;
    if (r.f !== 'rpc' || typeof v !== 'object' || v === null) return { kind: 'bad', id, message: 'expected f "rpc" with a value {src, body}' };
    const body = v.body as Record<string, unknown> | null;
    if (typeof v.src !== 'string' || !/^c\d+$/.test(v.src)) return { kind: 'bad', id, message: 'src must be a Maelstrom client id (c1, c2, ...)' };
    if (typeof body !== 'object' || body === null || typeof body.type !== 'string' || !Number.isSafeInteger(body.msg_id)) {
      return { kind: 'bad', id, message: 'body must have a type and an integer msg_id' };
    }
    return { kind: 'kv', id, req: { src: v.src, body: body as MaelstromBody } };
  });
}
