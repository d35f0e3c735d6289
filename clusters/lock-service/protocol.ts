/**
 * The client protocol of lock-service nodes: the bundled nodes' newline-delimited JSON
 * (src/node/kv/protocol.ts) with session and lock requests. A client opens a session (its own
 * id), keeps it alive, and acquires and releases named locks in it; every grant carries a fencing
 * token, and `write` stamps a write to the lock's fenced resource with one.
 *
 *   → {"id":1,"f":"open","session":"s1"}                    ← {"id":1,"type":"ok","value":{"leaseMs":1500}}
 *   → {"id":2,"f":"keepalive","session":"s1"}               ← {"id":2,"type":"ok","value":null}
 *   → {"id":3,"f":"acquire","session":"s1","key":"a"}       ← {"id":3,"type":"ok","value":7}     (the token)
 *   → {"id":4,"f":"write","session":"s1","key":"a","value":7}   ← ok, or fail "stale-token"
 *   → {"id":5,"f":"release","session":"s1","key":"a","value":7} ← ok, or fail "not-holder"
 *   → {"id":6,"f":"close","session":"s1"}
 *   → {"id":7,"f":"holder","key":"a"}                      ← {"id":7,"type":"ok","value":{"session":"s1","token":7}}
 *
 * Definite refusals: `not-leader`, `held` (another session holds the lock), `not-holder`,
 * `stale-token`, `session-expired` (the session is gone: open a new one).
 */
import { parseRequestWith, type ParsedRequest } from '../../src/node/kv/protocol.js';

export type LockRequest =
  | { f: 'open' | 'keepalive' | 'close'; session: string }
  | { f: 'acquire'; session: string; key: string }
  | { f: 'release' | 'write'; session: string; key: string; value: number }
  | { f: 'holder'; key: string };

/** Check one request line. */
export function parseLockRequest(line: string): ParsedRequest<LockRequest> {
  return parseRequestWith<LockRequest>(line, (r, id) => {
    const bad = (message: string): ParsedRequest<LockRequest> => ({ kind: 'bad', id, message });
    if (r.f === 'holder') return typeof r.key === 'string' ? { kind: 'kv', id, req: { f: 'holder', key: r.key } } : bad('key must be a string');
    if (typeof r.session !== 'string' || r.session === '') return bad('session must be a non-empty string');
    const session = r.session;
    switch (r.f) {
      case 'open':
      case 'keepalive':
      case 'close':
        return { kind: 'kv', id, req: { f: r.f, session } };
      case 'acquire':
        return typeof r.key === 'string' ? { kind: 'kv', id, req: { f: 'acquire', session, key: r.key } } : bad('key must be a string');
      case 'release':
      case 'write':
        if (typeof r.key !== 'string') return bad('key must be a string');
        if (typeof r.value !== 'number' || !Number.isSafeInteger(r.value)) return bad('value must be an integer token');
        return { kind: 'kv', id, req: { f: r.f, session, key: r.key, value: r.value } };
      default:
        return bad(`unknown f ${JSON.stringify(r.f)}`);
    }
  });
}
