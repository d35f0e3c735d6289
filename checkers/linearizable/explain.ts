/**
 * Turn a failed search into evidence a person can check: the operation that could not be
 * linearized, the operations concurrent with it, the states it would have had to take effect
 * in, and the operations that left those states.
 *
 * Why this window: the search reports the deepest frontier it reached, the first operation (in
 * completion order) that no explored order could linearize. Everything that completed before it
 * did linearize, so the contradiction lies between that operation, the operations overlapping
 * it, and the last writes before it; the rest of the history is context, not evidence.
 */
import type { Anomaly } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';
import { INF, type ProblemData } from './compile.js';
import { describeOp, interval, NO_KEY, type LinOp } from './entries.js';
import type { Evidence, SearchFailure } from './evidence.js';
import type { CheckerModel } from './models.js';
import type { Refutation } from './refute.js';
import { staleReadEvidence } from './stale-read.js';
import type { ValueRefutation } from './values.js';

/** What an explanation needs of a problem: its real-time arrays and the history's operations. */
export type Explained = Pick<ProblemData, 'n' | 'call' | 'ret' | 'group'> & { ops: readonly LinOp[] };

/** "a, b, c and 4 more" */
function capped(xs: readonly string[], max: number): string {
  return xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;
}

function orList(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]!}`;
}

/** At most this many concurrent operations are named. */
const MAX_CONCURRENT = 8;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The operations (by id) that overlap op `b` in real time, same key when the model is keyed. */
export function concurrentWith(p: Explained, b: number): number[] {
  const { call, ret, group } = p;
  const out: number[] = [];
  let earliest = call[b]!;
  for (let i = 0; i < p.n; i++) {
    if (i === b || group[i] !== group[b]) continue;
    if (ret[i] !== INF && call[i]! < ret[b]! && ret[i]! > call[b]!) {
      out.push(i);
      earliest = Math.min(earliest, call[i]!);
    }
  }
  // Unknown-outcome operations overlap everything after them; name only the recent ones.
  for (let i = 0; i < p.n; i++) {
    if (i !== b && group[i] === group[b] && ret[i] === INF && call[i]! < ret[b]! && call[i]! >= earliest) out.push(i);
  }
  return out.sort((x, y) => call[x]! - call[y]!);
}

/** The anomaly for one key, from whichever kind of evidence refuted it. */
export function explain(p: Explained, model: CheckerModel<unknown>, key: string, ev: Evidence): Anomaly {
  if (ev.kind === 'search') return explainFailure(p, model, key, ev);
  if (ev.kind === 'window') return explainRefutation(p, key, ev);
  return explainValues(p, model, key, ev);
}

/**
 * The anomaly for one key whose search failed: the blocked operation, its concurrent
 * operations and the last writers, with an explanation in words.
 */
function explainFailure(p: Explained, model: CheckerModel<unknown>, key: string, deep: SearchFailure): Anomaly {
  const b = deep.blocked;
  const blocked = p.ops[b]!;
  const concurrent = concurrentWith(p, b);
  const shown = concurrent.slice(0, MAX_CONCURRENT);
  const writers = [...new Set(deep.lastWriters.filter((w) => w >= 0 && w !== b && !shown.includes(w)))].slice(0, 3);
  const watched = deep.watched !== undefined ? [deep.watched] : [];
  const ids = [...new Set([b, ...shown, ...writers, ...watched])].sort((x, y) => p.call[x]! - p.call[y]!);
  const letter = new Map(ids.map((id, k) => [id, LETTERS[k % 26]! + (k >= 26 ? String(Math.floor(k / 26)) : '')]));
  const name = (id: number): string => letter.get(id)!;

  const states = [...new Set(deep.states)];
  const stateText = states.length === 1 ? states[0]! : `one of ${capped(states, 6)}`;
  const subject = subjectOf(model, blocked);

  const lines: string[] = [];
  lines.push(`Let ${ids.map((id) => `${name(id)} = ${describeOp(p.ops[id]!)} ${interval(p.ops[id]!)}`).join(', ')}.`);
  const lastW = [...new Set(deep.lastWriters.filter((w) => w >= 0))];
  const writtenBy =
    lastW.length === 0
      ? 'nothing written yet'
      : `last written by ${orList(lastW.slice(0, 4).map((w) => (letter.has(w) ? name(w) : describeOp(p.ops[w]!))))}${lastW.length > 4 ? ` (or ${lastW.length - 4} more)` : ''}`;
  lines.push(
    `The longest linearizable prefix has ${deep.prefix} operation${deep.prefix === 1 ? '' : 's'}; every order that reaches ${name(b)} leaves ${subject} at ${stateText} (${writtenBy}).`,
  );
  const more = concurrent.length > shown.length ? ` and ${concurrent.length - shown.length} more` : '';
  const allows = deep.watched !== undefined ? `neither the model nor ${name(deep.watched)} (${describeOp(p.ops[deep.watched]!)}) allows it in those states (after it, nothing left could give ${name(deep.watched)} what it read)` : 'the model allows it in none of those states';
  const why =
    concurrent.length === 0
      ? `${allows}, and nothing is concurrent with it`
      : `${allows}, whichever way the ${concurrent.length} operation${concurrent.length === 1 ? '' : 's'} concurrent with it (${shown.map(name).join(', ')}${more}) ${concurrent.length === 1 ? 'is' : 'are'} ordered`;
  lines.push(`Then ${name(b)} (${describeOp(blocked)}) cannot take effect: ${why}.`);

  return anomalyOf(p, key, blocked.key, ids, lines.join('\n'));
}

/**
 * The anomaly for a local refutation: the operation, the window it was refuted in, and the
 * states the window was started from.
 */
function explainRefutation(p: Explained, key: string, r: Refutation): Anomaly {
  const b = r.target;
  const blocked = p.ops[b]!;
  const t0 = p.call[r.from]!;
  const concurrent = concurrentWith(p, b).slice(0, MAX_CONCURRENT);
  // The operations that had to precede it inside the window: what it should have seen.
  const before: number[] = [];
  for (let i = 0; i < p.n; i++) {
    if (p.call[i]! >= t0 && p.ret[i] !== INF && p.ret[i]! < p.call[b]!) before.push(i);
  }
  // An op allowed in no reachable state is evidence on its own.
  const ids = r.size === 1 ? [b] : [...new Set([b, ...concurrent, ...before.slice(-4)])].sort((x, y) => p.call[x]! - p.call[y]!);
  const name = (id: number): string => LETTERS[ids.indexOf(id) % 26]!;
  const states = capped(r.states, 8);
  const letLine = `Let ${ids.map((id) => `${name(id)} = ${describeOp(p.ops[id]!)} ${interval(p.ops[id]!)}`).join(', ')}.`;
  if (r.size === 1) {
    const explanation = `${letLine}\n${name(b)} (${describeOp(blocked)}) is allowed in no state the history's operations can produce (${states}), in any order.`;
    return anomalyOf(p, key, blocked.key, ids, explanation);
  }
  const explanation = [
    letLine,
    `Whatever the state when operation #${p.ops[r.from]!.invoke.index} was invoked (any of ${states}), no order of the ${r.size} operations running from then on, consistent with real time, lets ${name(b)} (${describeOp(blocked)}) take effect.`,
    `${before.length > 0 ? `In particular ${before.slice(-4).map(name).join(', ')} completed before ${name(b)} began, ` : ''}${concurrent.length > 0 ? `${concurrent.length} operation${concurrent.length === 1 ? ' was' : 's were'} concurrent with it (${concurrent.map(name).join(', ')}).` : 'and nothing was concurrent with it.'}`,
  ].join('\n');
  return anomalyOf(p, key, blocked.key, ids, explanation);
}

/** What the state is called in words: the register, or a key. */
function subjectOf(model: CheckerModel<unknown>, op: LinOp): string {
  return model.name.includes('register') ? 'the register' : op.key !== undefined ? `key ${op.key}` : 'the state';
}

/** The anomaly for a refutation by values (values.ts): the observation, and why no operation could explain it. */
function explainValues(p: Explained, model: CheckerModel<unknown>, key: string, r: ValueRefutation): Anomaly {
  const target = p.ops[r.target]!;
  const subject = subjectOf(model, target);
  const algebra = model.values!;
  const value = algebra.describe(r.value);
  const setters = r.setters.slice(0, 4);
  const chain = r.chain.slice(-6);
  const named = new Set([r.target, ...(r.witness >= 0 ? [r.witness] : []), ...chain, ...setters]);
  // At most 12 operations in all, as for the other kinds of evidence.
  const concurrent = r.rule === 'counting' ? [] : concurrentWith(p, r.target).filter((c) => !named.has(c)).slice(0, 12 - named.size);
  const ids = [...named, ...concurrent].sort((x, y) => p.call[x]! - p.call[y]!);
  const letter = (id: number): string => LETTERS[ids.indexOf(id) % 26]!;
  const list = (xs: readonly number[], total: number): string => `${xs.map(letter).join(', ')}${total > xs.length ? ` and ${total - xs.length} more` : ''}`;
  const lines = [`Let ${ids.map((id) => `${letter(id)} = ${describeOp(p.ops[id]!)} ${interval(p.ops[id]!)}`).join(', ')}.`];
  const T = letter(r.target);
  const during = concurrent.length > 0 ? ` The ${concurrent.length} operation${concurrent.length === 1 ? '' : 's'} concurrent with ${T} (${list(concurrent, concurrent.length)}) could not have set it either.` : '';
  if (r.rule === 'counting') {
    lines.push(
      `${list(chain, r.chain.length)} took effect in this order (each completed before the next began), and ${subject} held ${value} at ${T} after holding something else: that needs ${r.needed} operations that set ${subject} to ${value}, invoked before ${T} completed, and there ${r.setters.length === 1 ? 'is' : 'are'} only ${r.setters.length}${setters.length > 0 ? ` (${list(setters, r.setters.length)})` : ''}. Each operation takes effect at most once.`,
    );
  } else if (r.witness < 0) {
    const later = setters.length > 0 ? `; the only ones (${list(setters, r.setters.length)}) came later` : '';
    lines.push(`${T} observed ${value}, but no operation that could set ${subject} to ${value} was invoked before ${T} completed${later}.${during}`);
  } else {
    const W = letter(r.witness);
    const left = algebra.leaves(p.ops[r.witness]!);
    const after = left !== undefined ? `${subject} held ${algebra.describe(left)}` : r.rule === 'reset-in-time' ? `${subject} contained what ${W} appended` : `${subject} no longer held ${value}`;
    const needed = r.rule === 'reset-in-time' ? `an operation that sets a value ${value} begins with (appends alone cannot turn it into ${value})` : `an operation that sets ${subject} to ${value}`;
    const early = setters.filter((x) => p.ret[x]! < p.call[r.witness]!);
    const late = setters.filter((x) => !early.includes(x));
    const why = [early.length > 0 ? `${list(early, early.length)} completed before ${W} began` : '', late.length > 0 ? `${list(late, late.length)} began after ${T} completed` : ''].filter((x) => x !== '');
    const more = r.setters.length > setters.length ? ` (and ${r.setters.length - setters.length} more like ${setters.length === 1 ? 'it' : 'them'})` : '';
    const none = setters.length > 0 ? `none could: ${why.join(', and ')}${more}` : 'there is none';
    lines.push(`${W} completed before ${T} began, and after ${W} ${after}. So ${needed} must have taken effect between ${W} and ${T}, and ${none}.${during}`);
  }
  return anomalyOf(p, key, target.key, ids, lines.join('\n'));
}

function anomalyOf(p: Explained, key: string, opKey: string | undefined, ids: number[], explanation: string): Anomaly {
  // A read of an overwritten value, when the key has one, is what a person points at: it leads.
  const stale = staleReadEvidence(p.ops, ids.map((id) => p.ops[id]!));
  const ops: Op[] = [];
  for (const op of new Set([...ids.map((id) => p.ops[id]!), ...(stale?.ops ?? [])])) {
    ops.push(op.invoke);
    if (op.completion) ops.push(op.completion);
  }
  if (stale) explanation = `${stale.text}\n${explanation}`;
  ops.sort((x, y) => x.index - y.index);
  const named = key !== NO_KEY ? key : opKey;
  const where = named !== undefined ? ` on key ${named}` : '';
  const summary = stale ? `stale read${where}: ${stale.summary}` : `no linearizable order of ${ids.length} operation${ids.length === 1 ? '' : 's'}${where}`;
  const anomaly: Anomaly = { kind: 'nonlinearizable', summary, ops, explanation };
  if (named !== undefined) anomaly.key = named;
  return anomaly;
}
