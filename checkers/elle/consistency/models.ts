/**
 * Reasoning over the lattice of lattice.ts: which anomalies a set of models forbids, which
 * models a set of anomalies rules out, and the strongest models a history is still consistent
 * with. Everything is a breadth-first closure over the small tables.
 */
import { ANOMALY_IMPLIES, MODEL_ALIASES, MODEL_IMPLIES, MODEL_PROSCRIBES, UNKNOWN_ANOMALIES } from './lattice.js';

function reverse(table: Readonly<Record<string, readonly string[]>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, tos] of Object.entries(table)) {
    for (const to of tos) {
      const list = out.get(to) ?? [];
      list.push(from);
      out.set(to, list);
    }
  }
  return out;
}

function closure(start: Iterable<string>, next: (x: string) => readonly string[] | undefined): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...seen];
  while (queue.length > 0) {
    for (const y of next(queue.pop()!) ?? []) {
      if (!seen.has(y)) {
        seen.add(y);
        queue.push(y);
      }
    }
  }
  return seen;
}

const MODEL_IMPLIED_BY = reverse(MODEL_IMPLIES);
const ANOMALY_IMPLIED_BY = reverse(ANOMALY_IMPLIES);
const PROSCRIBED_BY = reverse(MODEL_PROSCRIBES);

/** Every model name faultline knows (aliases aside). */
export const MODELS: readonly string[] = Object.keys(MODEL_IMPLIES);

/** Every anomaly name faultline knows. */
export const ANOMALIES: ReadonlySet<string> = new Set([
  ...Object.keys(ANOMALY_IMPLIES),
  ...Object.values(ANOMALY_IMPLIES).flat(),
  ...Object.values(MODEL_PROSCRIBES).flat(),
  ...UNKNOWN_ANOMALIES,
]);

/** A model's name as lattice.ts spells it; throws for names it does not know. */
export function canonicalModel(name: string): string {
  const canonical = MODEL_ALIASES[name] ?? name;
  if (!(canonical in MODEL_IMPLIES)) throw new Error(`unknown consistency model '${name}'; known models: ${MODELS.join(', ')}`);
  return canonical;
}

/** Throws for anomaly names it does not know. */
export function checkAnomalyNames(names: readonly string[]): void {
  const bad = names.filter((a) => !ANOMALIES.has(a));
  if (bad.length > 0) throw new Error(`unknown anomal${bad.length === 1 ? 'y' : 'ies'} ${bad.join(', ')}; known: ${[...ANOMALIES].sort().join(', ')}`);
}

/** The models `models` imply, themselves included. */
export function impliedModels(models: Iterable<string>): Set<string> {
  return closure([...models].map(canonicalModel), (m) => MODEL_IMPLIES[m]);
}

/** The anomalies `anomalies` imply, themselves included. */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, (a) => ANOMALY_IMPLIES[a]);
}

/** The anomalies that imply any of `anomalies`, themselves included. */
export function implyingAnomalies(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, (a) => ANOMALY_IMPLIED_BY.get(a));
}

/** Every anomaly that cannot be present if all of `models` hold. */
export function prohibitedBy(models: Iterable<string>): Set<string> {
  const direct = [...impliedModels(models)].flatMap((m) => MODEL_PROSCRIBES[m] ?? []);
  return implyingAnomalies(direct);
}

/** Every model that cannot hold when `anomalies` are present. */
export function impossibleModels(anomalies: Iterable<string>): Set<string> {
  const ruledOut = [...impliedAnomalies(anomalies)].flatMap((a) => PROSCRIBED_BY.get(a) ?? []);
  return closure(ruledOut, (m) => MODEL_IMPLIED_BY.get(m));
}

/** The members of `models` that no other member implies (the strongest ones). */
export function strongest(models: ReadonlySet<string>): string[] {
  return [...models].filter((m) => ![...models].some((o) => o !== m && impliedModels([o]).has(m))).sort();
}

/** The members of `models` that imply no other member (the weakest ones). */
export function weakest(models: ReadonlySet<string>): string[] {
  return [...models].filter((m) => ![...impliedModels([m])].some((o) => o !== m && models.has(o))).sort();
}
