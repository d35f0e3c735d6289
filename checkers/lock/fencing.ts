/**
 * Fencing-token monotonicity, as a fenced resource sees it. Two rules, each in real-time order
 * and per lock (the operation's key):
 * - grants: an `acquire` must be granted a token higher than every token granted to an acquire
 *   that completed before it was invoked (a token reused or going backwards is what lets a stale
 *   holder pass a fenced resource's check);
 * - writes: a `write` stamped with a token must not be accepted when a write with a higher token
 *   was accepted before it was invoked (what a correct fenced resource refuses).
 * Each violation names the two operations, their tokens and history positions.
 */
import type { Anomaly, CheckResult, Checker } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';

/** Most violations spelled out; the count covers all. */
const MAX_LISTED = 10;

interface Done {
  invoke: Op;
  completion: Op;
  token: number;
}

const RULES = {
  acquire: {
    kind: 'token-not-increasing',
    tokenOf: (inv: Op, ok: Op) => ok.value,
    broken: (token: number, before: number) => token <= before,
    words: (a: Done, b: Done) =>
      `${describe(b)} was granted token ${b.token}, but ${describe(a)} had been granted token ${a.token} before it was invoked: ` +
      'a fencing token must be higher than every token granted earlier, or a fenced resource cannot tell the stale holder from the new one.',
  },
  write: {
    kind: 'stale-write-accepted',
    tokenOf: (inv: Op) => inv.value,
    broken: (token: number, before: number) => token < before,
    words: (a: Done, b: Done) =>
      `${describe(b)} was accepted with token ${b.token}, but ${describe(a)} had been accepted with the higher token ${a.token} before it was invoked: ` +
      'the fenced resource let a stale holder overwrite a newer one.',
  },
} as const;

type Rule = keyof typeof RULES;

function describe(d: Done): string {
  return `${d.invoke.f} by process ${String(d.invoke.process)} (ops #${d.invoke.index}–#${d.completion.index})`;
}

/** Every violation of the two rules, in history order. */
export function fencingViolations(history: readonly Op[]): Anomaly[] {
  const open = new Map<number, { op: Op; before: Done | undefined }>();
  /** Per rule and lock: the completed operation with the highest token so far. */
  const highest = new Map<string, Done>();
  const found: Anomaly[] = [];
  for (const op of history) {
    if (typeof op.process !== 'number' || !(op.f in RULES)) continue;
    const rule = RULES[op.f as Rule];
    const slot = `${op.f}\u0000${op.key ?? ''}`;
    if (op.type === 'invoke') {
      open.set(op.process, { op, before: highest.get(slot) });
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (!inv || op.type !== 'ok') continue;
    const token = rule.tokenOf(inv.op, op);
    if (typeof token !== 'number') continue;
    const done: Done = { invoke: inv.op, completion: op, token };
    const before = inv.before;
    if (before && rule.broken(token, before.token)) {
      found.push({
        kind: rule.kind,
        summary: `token ${token} after ${before.token}${op.key === undefined ? '' : ` on lock ${op.key}`} (op #${op.index})`,
        ...(op.key !== undefined && { key: op.key }),
        ops: [before.invoke, before.completion, inv.op, op],
        explanation: rule.words(before, done),
      });
    }
    const top = highest.get(slot);
    if (!top || token > top.token) highest.set(slot, done);
  }
  return found;
}

export function fencing(): Checker {
  return {
    name: 'fencing',
    async check(history): Promise<CheckResult> {
      const found = fencingViolations(history);
      const counts = (kind: string): number => found.filter((a) => a.kind === kind).length;
      const stats = { 'token-not-increasing': counts('token-not-increasing'), 'stale-write-accepted': counts('stale-write-accepted') };
      if (found.length === 0) {
        return { valid: true, summary: 'Every grant had a token higher than all granted before it, and no write was accepted with a token lower than one accepted before it.', stats };
      }
      return {
        valid: false,
        summary: `${found.length} fencing violation${found.length === 1 ? '' : 's'}: ${stats['token-not-increasing']} grant(s) whose token did not exceed an earlier grant's, ${stats['stale-write-accepted']} write(s) accepted with a token lower than an earlier accepted write's.`,
        anomalies: found.slice(0, MAX_LISTED),
        stats,
      };
    },
  };
}
