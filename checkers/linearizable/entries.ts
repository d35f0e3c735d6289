/**
 * From a history of `Op` records to the operations the linearizability search orders.
 *
 * Why a module of its own: pairing invocations with completions and deciding what each
 * outcome means (`ok` happened, `fail` did not, `info` maybe) is history knowledge, not search
 * knowledge. Everything the search needs about real time is reduced here to two numbers per
 * operation: the history positions of its invocation and of its completion (+∞ when unknown).
 */
import type { Op } from '../../src/api/op.js';
import { UserError } from '../../src/user-error.js';
import type { ModelHints } from './models.js';

/** Completion position of an operation whose outcome is unknown. */
export const NEVER = Number.POSITIVE_INFINITY;

/** One operation to linearize. */
export interface LinOp {
  f: string;
  key: string | undefined;
  /** The invocation's value. */
  input: unknown;
  /** The completion's value for `ok`; `undefined` when the outcome is unknown. */
  output: unknown;
  /** Position of the invocation in the history array. */
  call: number;
  /** Position of the completion in the history array, or `NEVER`. */
  ret: number;
  invoke: Op;
  /** The `ok` or `info` completion, when there is one. */
  completion?: Op;
}

/** What `collectOps` kept and what it set aside. */
export interface CollectedOps {
  /** Operations in invocation order. */
  ops: LinOp[];
  /** `fail`ed operations, dropped. */
  failed: number;
  /** Read-only operations of unknown outcome, dropped (they constrain nothing). */
  unknownReads: number;
  /** Nemesis operations (and, for models without an operation list, `start-`/`stop-` ones). */
  ignored: number;
}

/** "op #12 (process 3)": where in the history, for one-line errors. */
function where(op: Op): string {
  return `op #${op.index} (process ${String(op.process)})`;
}

/**
 * Why the model cannot interpret this client event, or undefined when it can. A model with an
 * operation list refuses every other `f`; one without (a custom model) skips `start-`/`stop-`
 * operations, which are a nemesis's.
 */
function refusal(hints: ModelHints, modelName: string, op: Op): string | undefined {
  const fs = hints.operations;
  if (fs && !fs.includes(op.f)) {
    return `the ${modelName} model has no operation ${JSON.stringify(op.f)} (it knows ${fs.join(', ')}); choose the model with --model`;
  }
  return op.type === 'invoke' ? hints.malformed?.(op.f, op.value) : undefined;
}

/**
 * Pair every client invocation with the next completion of the same process and classify it.
 * A process that invokes again while its previous operation is open leaves that operation
 * open for ever (as `info`).
 *
 * A history the model cannot interpret is bad input, not a verdict: an operation whose `f` the
 * model does not know, an invocation whose value has the wrong shape (a cas that is not a
 * pair), a completion with no open invocation of its process, or one whose `f` differs from its
 * invocation's. Each throws a `UserError` naming the operation.
 */
export function collectOps(history: readonly Op[], hints: ModelHints & { name: string }): CollectedOps {
  const open = new Map<number, { op: Op; pos: number }>();
  const out: LinOp[] = [];
  let failed = 0;
  let unknownReads = 0;
  let ignored = 0;

  const addUnknown = (inv: Op, pos: number, completion?: Op): void => {
    if (hints.isReadOnly?.(inv.f, inv.value, undefined)) {
      unknownReads++;
      return;
    }
    const op: LinOp = { f: inv.f, key: inv.key, input: inv.value, output: undefined, call: pos, ret: NEVER, invoke: inv };
    if (completion) op.completion = completion;
    out.push(op);
  };

  for (let pos = 0; pos < history.length; pos++) {
    const op = history[pos]!;
    if (op.process === 'nemesis' || typeof op.process !== 'number' || (!hints.operations && /^(start|stop)-/.test(op.f))) {
      ignored++;
      continue;
    }
    const why = refusal(hints, hints.name, op);
    if (why !== undefined) throw new UserError(`${where(op)}: ${why}`);
    if (op.type === 'invoke') {
      const prev = open.get(op.process);
      if (prev) addUnknown(prev.op, prev.pos);
      open.set(op.process, { op, pos });
      continue;
    }
    const inv = open.get(op.process);
    if (!inv) throw new UserError(`${where(op)}: a completion (${op.type} ${op.f}) with no invocation before it; the history is damaged or was cut at the start`);
    if (inv.op.f !== op.f) {
      throw new UserError(`${where(op)}: a completion of ${JSON.stringify(op.f)} for an invocation of ${JSON.stringify(inv.op.f)} (op #${inv.op.index})`);
    }
    open.delete(op.process);
    if (op.type === 'fail') failed++;
    else if (op.type === 'info') addUnknown(inv.op, inv.pos, op);
    else {
      out.push({
        f: inv.op.f,
        key: inv.op.key,
        input: inv.op.value,
        output: op.value,
        call: inv.pos,
        ret: pos,
        invoke: inv.op,
        completion: op,
      });
    }
  }
  for (const { op, pos } of open.values()) addUnknown(op, pos);
  out.sort((a, b) => a.call - b.call);
  return { ops: out, failed, unknownReads, ignored };
}

/** Label used for operations without a key. */
export const NO_KEY = '(no key)';

/**
 * Split operations by key, keys in order of first invocation. Operations without a key form
 * one group labelled `NO_KEY`.
 */
export function partitionByKey(ops: readonly LinOp[]): Map<string, LinOp[]> {
  const groups = new Map<string, LinOp[]>();
  for (const op of ops) {
    const k = op.key ?? NO_KEY;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(op);
  }
  return groups;
}

/** "process 3 write 2" / "process 5 read → 1": an operation in words. */
export function describeOp(op: LinOp, fmt: (v: unknown) => string = defaultFmt): string {
  const p = op.invoke.process;
  const key = op.key !== undefined ? ` [${op.key}]` : '';
  const unknown = op.ret === NEVER ? ' (outcome unknown)' : '';
  const isRead = op.f === 'read' || op.f === 'get';
  const body = isRead ? `${op.f}${key} → ${fmt(op.output)}` : `${op.f}${key} ${fmt(op.input)}`;
  return `process ${String(p)} ${body}${unknown}`;
}

function defaultFmt(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(defaultFmt).join(', ')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

/** "[ops #12..#15]" (history indices of invocation and completion; "∞" when unknown). */
export function interval(op: LinOp): string {
  const end = op.completion && op.ret !== NEVER ? `#${op.completion.index}` : '∞';
  return `[ops #${op.invoke.index}..${end}]`;
}
