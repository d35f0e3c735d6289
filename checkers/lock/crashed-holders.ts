/**
 * The hold a crashed client leaves behind. When a holder's operation ends `info` (a write to the
 * fenced resource that timed out, say), the runner gives up on that client: it closes it and its
 * thread goes on as a new process with a new session. The old session's hold then ends when the
 * client's close or the lease expiry reaches the service, which the history does not show. So
 * the mutex checker reads such a hold as ended by a release of unknown outcome, invoked where
 * the operation that ended `info` was: from then on the lock may be free again at any moment.
 */
import type { Op } from '../../src/api/op.js';

/** `history` (acquires and releases, in order) with a release of unknown outcome for each hold a crashed client left. */
export function withCrashedHoldsReleased(history: readonly Op[], all: readonly Op[]): Op[] {
  // Per process: the token it holds, and where the release of a crash would go.
  const held = new Map<number, { token: number; key: string | undefined }>();
  const pendingOther = new Map<number, Op>();
  const implied: { after: number; op: Op }[] = [];
  for (const op of all) {
    if (typeof op.process !== 'number') continue;
    const p = op.process;
    if (op.f === 'acquire') {
      if (op.type === 'ok' && typeof op.value === 'number') held.set(p, { token: op.value, key: op.key });
    } else if (op.f === 'release') {
      if (op.type === 'invoke') held.delete(p);
    } else if (op.type === 'invoke') {
      pendingOther.set(p, op);
    } else {
      const inv = pendingOther.get(p);
      pendingOther.delete(p);
      const h = held.get(p);
      if (op.type === 'info' && inv && h) {
        held.delete(p);
        implied.push({
          after: inv.index,
          op: { index: inv.index, time: inv.time, type: 'invoke', process: p, f: 'release', ...(h.key !== undefined && { key: h.key }), value: h.token, ...(inv.node !== undefined && { node: inv.node }) },
        });
      }
    }
  }
  if (implied.length === 0) return [...history];
  // Put each implied release after the last operation of `history` recorded before its crash.
  const out: Op[] = [];
  let k = 0;
  for (const op of history) {
    while (k < implied.length && implied[k]!.after < op.index) out.push(implied[k++]!.op);
    out.push(op);
  }
  while (k < implied.length) out.push(implied[k++]!.op);
  return out;
}
