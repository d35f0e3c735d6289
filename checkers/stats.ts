/**
 * `stats` (Jepsen's checker/stats): how client operations ended, per function: ok, fail and
 * info counts. It fails when some function never succeeded at all, since a run in which, say, no
 * write ever took effect tested nothing about writes, whatever the other checkers say.
 */
import type { CheckResult, Checker } from '../src/api/checker.js';
import type { Op } from '../src/api/op.js';

/** The outcomes of one function's operations. */
export interface FnStats {
  count: number;
  ok: number;
  fail: number;
  info: number;
}

/** Completions of client operations per `f`, in order of first appearance. */
export function outcomeCounts(history: readonly Op[]): Map<string, FnStats> {
  const byF = new Map<string, FnStats>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.type === 'invoke') continue;
    let s = byF.get(op.f);
    if (!s) byF.set(op.f, (s = { count: 0, ok: 0, fail: 0, info: 0 }));
    s.count++;
    s[op.type]++;
  }
  return byF;
}

function describe(f: string, s: FnStats): string {
  return `${f} ${s.ok} ok / ${s.fail} fail / ${s.info} info`;
}

/** The `stats` checker. */
export function stats(): Checker {
  return {
    name: 'stats',
    kind: 'coverage',
    async check(history): Promise<CheckResult> {
      const byF = outcomeCounts(history);
      const figures: Record<string, number> = {};
      for (const [f, s] of byF) for (const [k, v] of Object.entries(s)) figures[`${f}.${k}`] = v;
      if (byF.size === 0) return { valid: 'unknown', summary: 'No client operation completed: nothing to count.', stats: figures };
      const never = [...byF].filter(([, s]) => s.ok === 0);
      const counts = [...byF].map(([f, s]) => describe(f, s)).join('; ');
      if (never.length === 0) return { valid: true, summary: `Every function succeeded at least once: ${counts}.`, stats: figures };
      return {
        valid: false,
        summary: `${never.map(([f, s]) => `${f} never succeeded (${s.count} attempts)`).join('; ')}: ${counts}.`,
        stats: figures,
      };
    },
  };
}
