/**
 * The client protocol of every bundled key-value node (raft-kv, multi-paxos-kv, primary-backup,
 * memory-kv): newline-delimited JSON over TCP on a node's `clientListen`.
 *
 *   → {"id":1,"f":"read","key":"k"}
 *   → {"id":2,"f":"write","key":"k","value":3}
 *   → {"id":3,"f":"cas","key":"k","value":[3,4]}            (expected, new)
 *   → {"id":4,"f":"status"}
 *   ← {"id":1,"type":"ok","value":3}                         (read: null when absent)
 *   ← {"id":2,"type":"fail","error":"not-leader","leader":"n2"}   definite: not executed
 *   ← {"id":3,"type":"fail","error":"precondition-failed"}        definite: cas refused
 *   ← {"id":2,"type":"info","error":"timeout"}                    outcome unknown
 *   ← {"id":4,"type":"ok","value":{"id":"n1","role":"leader","term":3,"leader":"n1","commitIndex":9}}
 *
 * Replies may come out of order; match them by id. ./connection.ts is the client side.
 */

/** A register value: JSON numbers and strings (null stands for an absent key). */
export type Value = string | number | null;

export type KvFunction = 'read' | 'write' | 'cas';

export type KvRequest =
  | { f: 'read'; key: string }
  | { f: 'write'; key: string; value: Value }
  | { f: 'cas'; key: string; value: [Value, Value] };

export type Role = 'follower' | 'candidate' | 'leader';

/**
 * What a node says about itself. `term` is the system's number for a leadership (Raft's term,
 * a Paxos ballot, a primary's epoch): higher is newer, and at most one node leads in each.
 */
export interface NodeStatus {
  id: string;
  role: Role;
  term: number;
  leader: string | null;
  commitIndex: number;
}

/** The body of a reply, without its id. */
export type KvResult =
  | { type: 'ok'; value: unknown }
  | { type: 'fail'; error: 'not-leader'; leader?: string }
  | { type: 'fail'; error: 'precondition-failed' }
  | { type: 'fail'; error: 'bad-request'; message: string }
  /** A transaction that surely did not commit (a bundled transactional node's refusal). */
  | { type: 'fail'; error: 'aborted'; message: string }
  | { type: 'info'; error: string };

export type RequestId = string | number;
export type KvResponse = KvResult & { id: RequestId };

export type ParsedRequest<R = KvRequest> =
  | { kind: 'kv'; id: RequestId; req: R }
  | { kind: 'status'; id: RequestId }
  | { kind: 'bad'; id: RequestId | null; message: string };

/** Is `v` a value the register accepts (a finite number or a string)? */
export function isValue(v: unknown): v is Value {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** A request's fields, or why it is no request: a request body parser sees `f`, `key`, `value`. */
export type RequestBody<R> = (r: Readonly<Record<string, unknown>>, id: RequestId) => ParsedRequest<R>;

/**
 * Check one request line from a client: JSON, an id, `status` answered by the server, the rest
 * by `body` (the key-value requests by default; other bundled systems pass their own).
 */
export function parseRequestWith<R>(line: string, body: RequestBody<R>): ParsedRequest<R> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { kind: 'bad', id: null, message: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null) return { kind: 'bad', id: null, message: 'not an object' };
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : null;
  if (id === null) return { kind: 'bad', id: null, message: 'missing id' };
  if (r.f === 'status') return { kind: 'status', id };
  return body(r, id);
}

/** Check one key-value request line from a client. */
export function parseRequest(line: string): ParsedRequest {
  return parseRequestWith(line, kvBody);
}

const kvBody: RequestBody<KvRequest> = (r, id) => {
  if (typeof r.key !== 'string') return { kind: 'bad', id, message: 'key must be a string' };
  const key = r.key;
  switch (r.f) {
    case 'read':
      return { kind: 'kv', id, req: { f: 'read', key } };
    case 'write':
      if (!isValue(r.value)) return { kind: 'bad', id, message: 'value must be a number or string' };
      return { kind: 'kv', id, req: { f: 'write', key, value: r.value } };
    case 'cas': {
      const v = r.value;
      if (!Array.isArray(v) || v.length !== 2 || !(v[0] === null || isValue(v[0])) || !isValue(v[1])) {
        return { kind: 'bad', id, message: 'cas value must be [expected, new]' };
      }
      return { kind: 'kv', id, req: { f: 'cas', key, value: [v[0] as Value, v[1] as Value] } };
    }
    default:
      return { kind: 'bad', id, message: `unknown f ${JSON.stringify(r.f)}` };
  }
};

/** The definite refusal a node that does not lead gives, naming the leader when it knows one. */
export function notLeader(self: string, leader: string | null): KvResult {
  return leader !== null && leader !== self ? { type: 'fail', error: 'not-leader', leader } : { type: 'fail', error: 'not-leader' };
}
