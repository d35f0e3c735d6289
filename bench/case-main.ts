/**
 * The child side of bench/child.ts: `node bench/case-main.ts <case> '<input JSON>'` runs one
 * benchmark case and prints its figures as one JSON line on stdout.
 *
 * Why one entry for every case: the parent needs a single way to start a measured case, and the
 * cases stay plain exported functions that tests and other scripts can also call in-process.
 */
import type { CaseName } from './child.js';
import type { FigureValue } from './format.js';

type CaseFn = (input: never) => Promise<Record<string, FigureValue>>;

const CASES: Record<CaseName, () => Promise<CaseFn>> = {
  scale: async () => (await import('./scale.js')).scaleCase,
  report: async () => (await import('./report-bench.js')).reportCase,
  elle: async () => (await import('./elle.js')).elleCase,
};

const [name, input] = process.argv.slice(2);
const load = CASES[name as CaseName];
if (!load || input === undefined) {
  process.stderr.write(`usage: case-main.ts <${Object.keys(CASES).join('|')}> '<input JSON>'\n`);
  process.exit(2);
}
const figures = await (await load())(JSON.parse(input) as never);
process.stdout.write(`${JSON.stringify(figures)}\n`);
