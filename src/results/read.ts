/**
 * Reading results.json back, from any faultline version: files written before the schema had a
 * version read as version 1, with the fields later versions added left out or defaulted and the
 * spec brought to its current shape (node names, hosts), so old results directories stay
 * readable by `faultline report`, `serve` and `shrink`.
 */
import { upgradeSpec } from '../runner/saved-spec.js';
import { readJsonFile } from './json-file.js';
import type { OpCounts, RunResults } from './schema.js';

export class ResultsError extends Error {
  override name = 'ResultsError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The results in `value` (parsed JSON), upgraded to the current shape. @throws ResultsError when it is not results. */
export function parseResults(value: unknown, file = 'results.json'): RunResults {
  if (!isObject(value)) throw new ResultsError(`${file} is not a JSON object`);
  if (!isObject(value.spec)) throw new ResultsError(`${file} has no "spec" object`);
  const valid = value.valid;
  if (valid !== true && valid !== false && valid !== 'unknown') throw new ResultsError(`${file} has no verdict ("valid")`);
  const version = typeof value.version === 'number' ? value.version : 1;
  const ops = isObject(value.ops) ? (value.ops as unknown as OpCounts) : { invoke: 0, ok: 0, fail: 0, info: 0 };
  return {
    ...(value as unknown as RunResults),
    spec: upgradeSpec(value.spec),
    version,
    faultline: typeof value.faultline === 'string' ? value.faultline : 'unknown',
    name: typeof value.name === 'string' ? value.name : String(value.spec.name ?? 'run'),
    command: typeof value.command === 'string' ? value.command : '',
    startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
    durationS: typeof value.durationS === 'number' ? value.durationS : 0,
    net: typeof value.net === 'string' ? value.net : String(value.spec.net ?? 'proxy'),
    schedule: Array.isArray(value.schedule) ? (value.schedule as RunResults['schedule']) : [],
    checkers: isObject(value.checkers) ? (value.checkers as RunResults['checkers']) : {},
    ops,
    warnings: Array.isArray(value.warnings) ? (value.warnings as string[]) : [],
    interrupted: value.interrupted === true,
  };
}

/** Read and upgrade `file`, of any size. @throws ResultsError when it is missing, not JSON, or not results. */
export function readResultsFile(file: string): RunResults {
  let value: unknown;
  try {
    value = readJsonFile(file);
  } catch (err) {
    if (err instanceof SyntaxError) throw new ResultsError(`${file} is not valid JSON`);
    throw new ResultsError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseResults(value, file);
}
