/** "Did you mean …?" for mistyped names: the closest candidate by edit distance. */
import { UserError } from './user-error.js';

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The candidate closest to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Look `name` up in `table`, or fail with one line naming the choices and the likely typo. */
export function lookup<T>(kind: string, table: Readonly<Record<string, T>>, name: string): T {
  const found = table[name];
  if (found !== undefined) return found;
  const guess = closest(name, Object.keys(table));
  const hint = guess ? `did you mean '${guess}'? ` : '';
  throw new UserError(`unknown ${kind} '${name}': ${hint}choose one of ${Object.keys(table).join(', ')} (see faultline list)`);
}
