/**
 * Options that take a value must be given one. Left to itself, yargs reads a bare `--bug` as no
 * bug, a bare `--nemesis` or `--concurrency` as its default and a bare `--seed` as no seed: the
 * run goes ahead with something the user did not ask for. Marking every such option as needing
 * an argument turns each of these into a parse error ("Not enough arguments following: bug"),
 * which the CLI reports as bad input.
 */
import type { Argv } from 'yargs';

/** What yargs' getOptions() returns, as far as it is read here (the typings leave it out). */
interface DeclaredOptions {
  key: Record<string, unknown>;
  boolean: string[];
  count: string[];
}

/** `y` with every option it declares that is not a flag (boolean or count) needing a value. */
export function requireValues<T>(y: Argv<T>): Argv<T> {
  const declared = (y as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const flags = new Set([...declared.boolean, ...declared.count]);
  const valued = Object.keys(declared.key).filter((name) => !flags.has(name));
  return valued.length > 0 ? y.requiresArg(valued) : y;
}
