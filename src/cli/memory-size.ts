/**
 * `--max-memory`: how much memory a check may use, shared by `faultline check` and
 * `faultline test`. A size with a unit (`512M`, `4G`, `1.5GiB`, `2T`) or a number of MiB.
 */
import { UserError } from '../user-error.js';

const UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Least budget worth checking with. */
const MIN_BYTES = 64 * 2 ** 20;

/** The option's yargs definition. */
export const maxMemoryOption = {
  type: 'string',
  describe: 'Memory the checker may use, e.g. 4G or 512M (default: a quarter of the machine\'s memory); past it, unknown',
} as const;

/** Bytes of a `--max-memory` value; a UserError when it is not a size of at least 64M. */
export function parseMemorySize(value: unknown): number {
  if (Array.isArray(value)) throw new UserError(`--max-memory was given ${value.length} times; give it once`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?)?\s*$/i.exec(String(value));
  const bytes = m ? Number(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()]! : 2 ** 20) : Number.NaN;
  if (!Number.isFinite(bytes)) throw new UserError(`--max-memory must be a size such as 4G or 512M, not '${String(value)}'`);
  if (bytes < MIN_BYTES) throw new UserError(`--max-memory must be at least 64M, not '${String(value)}'`);
  return Math.floor(bytes);
}
