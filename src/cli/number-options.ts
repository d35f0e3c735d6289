/**
 * The rules for the number options of the commands: whole or not, whether zero is allowed, and an
 * upper bound past which a run cannot work (Node timers overflow at 2^31 ms, memory runs out).
 * A value outside its rule is one line saying what the option takes, exit code 2.
 */
import { UserError } from '../user-error.js';

const DAY_S = 86_400;

/** Each number option's rule; an option not listed takes any positive number. */
export const NUMBERS: Record<string, { integer?: boolean; zero?: boolean; max?: number }> = {
  concurrency: { integer: true, max: 10_000 },
  'time-limit': { max: 7 * DAY_S },
  'recovery-time': { zero: true, max: 7 * DAY_S },
  rate: {},
  'nemesis-interval': {},
  'op-timeout': { integer: true, max: 3_600_000 },
  'key-count': { integer: true },
  'ops-per-key': { integer: true },
  'checker-timeout': { max: 7 * DAY_S },
  'max-runs': { integer: true },
};

/** The value of number option `name`, checked against its rule. */
export function numberOption(name: string, value: number): number {
  const rule = NUMBERS[name] ?? {};
  const low = rule.zero ? value < 0 : value <= 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || low || (rule.integer && !Number.isSafeInteger(value))) {
    const what = rule.zero ? `zero or more${rule.integer ? ' (a whole number)' : ''}` : `a positive ${rule.integer ? 'whole ' : ''}number`;
    throw new UserError(`--${name} must be ${what}, not '${value}'`);
  }
  if (rule.max !== undefined && value > rule.max) throw new UserError(`--${name} must be at most ${rule.max}, not ${value}`);
  return value;
}
