/**
 * Workload options (`WorkloadDef.options`), checked before a run: every name declared, every
 * value of the declared type and within bounds. The result holds every declared option with
 * defaults filled in, which is what a run stores, so a saved run rebuilds the same workload.
 */
import type { WorkloadDef, WorkloadOption, WorkloadOptionValues } from '../api/workload.js';
import { closest } from '../suggest.js';
import { UserError } from '../user-error.js';

function parseValue(workload: string, name: string, option: WorkloadOption, raw: number | string): number | string {
  const what = `${workload} option --${name}`;
  if (typeof option.default === 'string') {
    const value = String(raw);
    if (option.choices && !option.choices.includes(value)) throw new UserError(`${what} must be one of ${option.choices.join(', ')}, not '${value}'`);
    return value;
  }
  const value = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new UserError(`${what} must be a number, not '${raw}'`);
  if (option.integer && !Number.isSafeInteger(value)) throw new UserError(`${what} must be a whole number, not '${raw}'`);
  if (option.min !== undefined && value < option.min) throw new UserError(`${what} must be at least ${option.min}, not ${value}`);
  if (option.max !== undefined && value > option.max) throw new UserError(`${what} must be at most ${option.max}, not ${value}`);
  return value;
}

/** Every option of `def`, from `given` (names without `--`) or its default; a one-line UserError otherwise. */
export function resolveWorkloadOptions(def: WorkloadDef, given: Readonly<Record<string, number | string>> = {}): WorkloadOptionValues {
  const declared = def.options ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in declared)) {
      const guess = closest(name, Object.keys(declared));
      throw new UserError(`workload ${def.name} has no option '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}: its options are ${Object.keys(declared).join(', ') || 'none'}`);
    }
  }
  const out: Record<string, number | string> = {};
  for (const [name, option] of Object.entries(declared)) {
    const raw = given[name];
    out[name] = raw === undefined ? option.default : parseValue(def.name, name, option, raw);
  }
  return out;
}
