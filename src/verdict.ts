/**
 * Verdicts of several checks merged into one: Jepsen's priority merge (false over unknown over
 * true) and Jepsen's `compose`, which runs a workload's checkers over one history. Used by the
 * checkers themselves (one verdict per key) and by the runner (one per checker).
 */
import type { CheckOptions, CheckResult, Checker, Validity } from './api/checker.js';
import type { Op } from './api/op.js';
import { UserError } from './user-error.js';

/** Jepsen's priority merge: any false wins, then unknown, else true. */
export function mergeValidity(values: Iterable<Validity>): Validity {
  let result: Validity = true;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}

/** Every checker's result by name, and their merged verdict. */
export interface ComposedResult {
  valid: Validity;
  checkers: Record<string, CheckResult>;
  /** Checkers that said the history is not of their kind (a UserError): bad input, for the caller to report. */
  refusals: UserError[];
}

/**
 * Why a history proves nothing, when it does not: no client operation in it, or none that took
 * effect (every one failed, as when no client could be opened, or never completed).
 */
function nothingToCheck(history: readonly Op[]): string | undefined {
  let invoked = 0;
  let failed = 0;
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'ok' || op.type === 'info') return undefined;
    if (op.type === 'invoke') invoked++;
    else failed++;
  }
  if (invoked === 0 && failed === 0) return 'The history holds no client operations: nothing was checked.';
  const how = failed === invoked ? `all ${failed} failed` : `${failed} failed, ${invoked - failed} never completed`;
  return `No client operation took effect (${how}): nothing was checked.`;
}

/**
 * Run every checker over `history` (at once, as Jepsen's compose does), each with the same
 * options; a checker that throws gives `unknown` with the reason, never a lost verdict. A
 * history in which no client operation took effect checks nothing, so every verdict is
 * `unknown`. With `partial` (the run was cut short), coverage checkers do not count in the
 * verdict, and a `false` of theirs is shown as `unknown`: a prefix of a run may simply not have
 * got there.
 */
export async function checkAll(
  checkers: Readonly<Record<string, Checker>>,
  history: readonly Op[],
  opts: CheckOptions,
  partial = false,
): Promise<ComposedResult> {
  const names = Object.keys(checkers);
  const nothing = nothingToCheck(history);
  if (nothing !== undefined) {
    const result: CheckResult = { valid: 'unknown', summary: nothing };
    return { valid: 'unknown', checkers: Object.fromEntries(names.map((name) => [name, result])), refusals: [] };
  }
  const refusals: UserError[] = [];
  const results = await Promise.all(
    names.map(async (name): Promise<CheckResult> => {
      const checker = checkers[name] as Checker;
      try {
        const result = await checker.check(history, opts);
        if (!partial || checker.kind !== 'coverage' || result.valid !== false) return result;
        return { ...result, valid: 'unknown', summary: `${result.summary} The run was cut short, so this does not count.` };
      } catch (err) {
        if (err instanceof UserError) refusals.push(err);
        return { valid: 'unknown', summary: `the ${name} checker failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
  const byName = Object.fromEntries(names.map((name, i) => [name, results[i] as CheckResult]));
  const counted = results.filter((_, i) => !partial || checkers[names[i] as string]?.kind !== 'coverage');
  return { valid: mergeValidity(counted.map((r) => r.valid)), checkers: byName, refusals };
}
