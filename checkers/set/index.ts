/**
 * The set checker (Jepsen's `set`): adds of unique elements, then final reads after the heal.
 * Every element is one of:
 * - ok: its add was acknowledged and the final reads have it;
 * - lost: its add was acknowledged, yet a final read of its key lacks it;
 * - recovered: its add's outcome was unknown (`info`, or never completed) and the final reads have it;
 * - unexpected: a final read has it, but nobody ever tried to add it.
 * Valid iff nothing is lost or unexpected; unknown when a key that was added to has no final read.
 *
 * Sets are per key (`op.key`; one set when absent), and a key may be read through several nodes:
 * after recovery each of them must hold every acknowledged element. A lost element is explained
 * with its add and the final read that lacks it.
 */
import type { Anomaly, CheckResult, Checker } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';

/** Anomalies kept per kind; the counts of all are in the stats. */
const KEEP = 8;
/** Elements listed in a summary. */
const LISTED = 10;

export function set(): Checker {
  return { name: 'set', check: async (history) => checkSet(history) };
}

/** One add: its invocation and how it ended (`undefined`: never completed). */
export interface Add {
  key: string;
  element: number;
  invoke: Op;
  completion?: Op;
}

/** One final read that answered: the elements it saw. */
export interface FinalRead {
  key: string;
  invoke: Op;
  completion: Op;
  elements: ReadonlySet<number>;
}

export interface SetClasses {
  ok: number[];
  lost: number[];
  recovered: number[];
  unexpected: number[];
  /** Elements of adds that were not acknowledged and not recovered: failed ones (read or not, as Jepsen's checker does not judge them) and unknown ones no final read holds. */
  absent: number[];
  /** Keys added to that have no final read. */
  unread: string[];
}

const keyOf = (op: Op): string => op.key ?? 'set';

export class SetFormatError extends Error {}

/** The functions of a set history: which `f` adds an element, which is a final read. */
export interface SetFunctions {
  add: string;
  finalRead: string;
}

/** The adds and the final reads that answered, of `history` whose functions are `fs` (others are skipped). */
export function parseSet(history: readonly Op[], fs: SetFunctions = { add: 'add', finalRead: 'read' }): { adds: Add[]; reads: FinalRead[] } {
  const adds: Add[] = [];
  const reads: FinalRead[] = [];
  const open = new Map<number | string, { op: Op; add?: Add }>();
  for (const op of history) {
    if (op.process === 'nemesis' || (op.f !== fs.add && op.f !== fs.finalRead)) continue;
    if (op.type === 'invoke') {
      const entry: { op: Op; add?: Add } = { op };
      if (op.f === fs.add) {
        if (typeof op.value !== 'number' || !Number.isSafeInteger(op.value)) throw new SetFormatError(`op #${op.index} adds ${JSON.stringify(op.value)}, not a whole number`);
        entry.add = { key: keyOf(op), element: op.value, invoke: op };
        adds.push(entry.add);
      }
      open.set(op.process, entry);
      continue;
    }
    const started = open.get(op.process);
    open.delete(op.process);
    if (!started) continue;
    if (started.add) started.add.completion = op;
    else if (op.type === 'ok') {
      if (!Array.isArray(op.value) || !op.value.every((v) => typeof v === 'number')) throw new SetFormatError(`op #${op.index} read ${JSON.stringify(op.value)}, not a list of numbers`);
      reads.push({ key: keyOf(op), invoke: started.op, completion: op, elements: new Set(op.value as number[]) });
    }
  }
  return { adds, reads };
}

/** Each element's class, from the adds and the final reads. */
export function classify(adds: readonly Add[], reads: readonly FinalRead[]): SetClasses {
  const readsOf = new Map<string, FinalRead[]>();
  for (const r of reads) readsOf.set(r.key, [...(readsOf.get(r.key) ?? []), r]);
  const out: SetClasses = { ok: [], lost: [], recovered: [], unexpected: [], absent: [], unread: [] };
  const attempted = new Map<string, Set<number>>();
  const unread = new Set<string>();
  for (const add of adds) {
    attempted.set(add.key, (attempted.get(add.key) ?? new Set()).add(add.element));
    const finals = readsOf.get(add.key) ?? [];
    if (finals.length === 0) {
      unread.add(add.key);
      continue;
    }
    const type = add.completion?.type ?? 'info';
    const inAll = finals.every((r) => r.elements.has(add.element));
    const inAny = finals.some((r) => r.elements.has(add.element));
    if (type === 'ok') (inAll ? out.ok : out.lost).push(add.element);
    else if (inAny && type === 'info') out.recovered.push(add.element);
    else out.absent.push(add.element);
  }
  for (const [key, finals] of readsOf) {
    const tried = attempted.get(key) ?? new Set<number>();
    const seen = new Set(finals.flatMap((r) => [...r.elements]));
    for (const e of seen) if (!tried.has(e)) out.unexpected.push(e);
  }
  out.unread = [...unread];
  for (const list of [out.ok, out.lost, out.recovered, out.unexpected, out.absent]) list.sort((a, b) => a - b);
  return out;
}

const listed = (xs: readonly number[]): string => (xs.length > LISTED ? `${xs.slice(0, LISTED).join(', ')}, … (${xs.length} in all)` : xs.join(', '));

export function checkSet(history: readonly Op[]): CheckResult {
  let parsed;
  try {
    parsed = parseSet(history);
  } catch (err) {
    if (err instanceof SetFormatError) return { valid: 'unknown', summary: `not a set history: ${err.message}` };
    throw err;
  }
  return judgeSet(parsed.adds, parsed.reads);
}

/** The verdict on `adds` from the final `reads`: lost and unexpected elements, with their anomalies. */
export function judgeSet(adds: readonly Add[], reads: readonly FinalRead[]): CheckResult {
  const c = classify(adds, reads);
  const stats = { adds: adds.length, 'final-reads': reads.length, ok: c.ok.length, lost: c.lost.length, recovered: c.recovered.length, unexpected: c.unexpected.length };
  const anomalies = [...lostAnomalies(c.lost, adds, reads), ...unexpectedAnomalies(c.unexpected, adds, reads)];
  if (anomalies.length > 0) {
    const parts = [c.lost.length > 0 ? `${c.lost.length} acknowledged elements lost (${listed(c.lost)})` : '', c.unexpected.length > 0 ? `${c.unexpected.length} elements read that nobody added (${listed(c.unexpected)})` : ''];
    return { valid: false, summary: `${parts.filter(Boolean).join('; ')}; ${c.ok.length} ok, ${c.recovered.length} recovered`, anomalies, stats };
  }
  if (adds.length > 0 && reads.length === 0) return { valid: 'unknown', summary: `${adds.length} adds but no final read answered, so nothing can be judged`, stats };
  const unread = c.unread.length > 0 ? `; keys ${c.unread.join(', ')} had no final read` : '';
  const summary = `${c.ok.length} acknowledged elements all read, ${c.recovered.length} of unknown outcome recovered, none lost or unexpected${unread}`;
  return { valid: c.unread.length > 0 ? 'unknown' : true, summary, stats };
}

function lostAnomalies(lost: readonly number[], adds: readonly Add[], reads: readonly FinalRead[]): Anomaly[] {
  return lost.slice(0, KEEP).map((element) => {
    const add = adds.find((a) => a.element === element && a.completion?.type === 'ok') as Add;
    const missing = reads.find((r) => r.key === add.key && !r.elements.has(element)) as FinalRead;
    const where = missing.invoke.node ? ` through ${missing.invoke.node}` : '';
    return {
      kind: 'lost',
      key: add.key,
      summary: `element ${element} was acknowledged (op #${add.invoke.index}) but the final read op #${missing.invoke.index}${where} lacks it`,
      ops: [add.invoke, add.completion as Op, missing.invoke, missing.completion],
      explanation:
        `Let A = op #${add.invoke.index}, which added ${element} to ${add.key} and was acknowledged at #${add.completion?.index}. ` +
        `After the heal and the recovery time, the final read R = op #${missing.invoke.index}${where} returned ${missing.elements.size} elements of ${add.key} without ${element}, so A's acknowledged add was lost.`,
    };
  });
}

function unexpectedAnomalies(unexpected: readonly number[], adds: readonly Add[], reads: readonly FinalRead[]): Anomaly[] {
  return unexpected.slice(0, KEEP).map((element) => {
    const read = reads.find((r) => r.elements.has(element) && !adds.some((a) => a.key === r.key && a.element === element)) as FinalRead;
    return {
      kind: 'unexpected',
      key: read.key,
      summary: `the final read op #${read.invoke.index} returned ${element}, which nobody tried to add`,
      ops: [read.invoke, read.completion],
      explanation: `The final read R = op #${read.invoke.index} returned ${element} in ${read.key}, but no operation of the history ever added ${element} there.`,
    };
  });
}
