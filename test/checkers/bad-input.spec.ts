// A history the model cannot judge is bad input (UserError: one line naming the op), never a
// verdict on the operations that were left over; a well-formed history whose operations
// constrain nothing is valid, as Knossos and Porcupine say. Each class over random histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearizable } from '../../checkers/linearizable/index.js';
import type { Op } from '../../src/api/op.js';
import { UserError } from '../../src/user-error.js';
import { execute, kvOp, registerOp } from './gen-history.js';

const RUNS = 150;

async function refusal(history: readonly Op[], model: string, partitionKeys = true): Promise<UserError> {
  const err = await linearizable({ model, partitionKeys })
    .check(history, {})
    .then(
      (r) => new Error(`expected a refusal, got ${String(r.valid)}: ${r.summary}`),
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).not.toContain('\n');
  return err as UserError;
}

const registerHistory = fc.array(registerOp(3, 2), { minLength: 1, maxLength: 12 }).map(execute);
const kvHistory = fc.array(kvOp(2), { minLength: 1, maxLength: 12 }).map(execute);
const models = [
  { model: 'cas-register', history: registerHistory, other: kvHistory },
  { model: 'kv', history: kvHistory, other: registerHistory },
];

describe.each(models)('the $model model refuses what it cannot interpret', ({ model, history, other }) => {
  it('an operation with an f the model does not know, wherever it is', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.nat(), fc.stringMatching(/^[a-z][a-z-]{0,8}$/), fc.boolean(), async (h, pick, f, partitionKeys) => {
        fc.pre(!['read', 'write', 'cas', 'get', 'put', 'append'].includes(f));
        const i = pick % h.length;
        const process = h[i]!.process;
        // Rename every op of that operation (invocation and completion), as a foreign history would.
        const openAt = h.findLastIndex((op, j) => j <= i && op.process === process && op.type === 'invoke');
        const bad = h.map((op, j) => (j === openAt || (j > openAt && op.process === process && j <= i) ? { ...op, f } : op));
        const err = await refusal(bad, model, partitionKeys);
        expect(err.message).toContain(`op #${openAt} `);
        expect(err.message).toContain(`no operation ${JSON.stringify(f)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("a whole history of another model's operations (e.g. --model kv on a register history)", async () => {
    await fc.assert(
      fc.asyncProperty(other, async (h) => {
        const err = await refusal(h, model);
        expect(err.message).toMatch(/^op #0 \(process \d+\): the \S+ model has no operation .*; choose the model with --model$/);
      }),
      { numRuns: RUNS },
    );
  });

  it('a completion with no invocation, wherever the invocation went missing', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.nat(), async (h, pick) => {
        const invokes = h.filter((op) => op.type === 'invoke');
        const dropped = invokes[pick % invokes.length]!;
        const completion = h.find((op) => op.index > dropped.index && op.process === dropped.process);
        fc.pre(completion !== undefined);
        const bad = h.filter((op) => op !== dropped);
        const err = await refusal(bad, model);
        expect(err.message).toBe(`op #${completion!.index} (process ${completion!.process}): a completion (${completion!.type} ${completion!.f}) with no invocation before it; the history is damaged or was cut at the start`);
      }),
      { numRuns: RUNS },
    );
  });

  it('a history of completions only', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const completions = h.filter((op) => op.type !== 'invoke');
        fc.pre(completions.length > 0);
        await refusal(completions, model);
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts a well-formed history whose operations constrain nothing: all failed, or reads of unknown outcome', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.boolean(), async (h, failAll) => {
        const reads = new Set(['read', 'get']);
        // execute() gives each process one operation: one completed has a completion of its process.
        const completed = new Set(h.filter((op) => op.type !== 'invoke').map((op) => op.process));
        const nothing = failAll
          ? h.filter((op) => completed.has(op.process)).map((op) => (op.type === 'invoke' ? op : { ...op, type: 'fail' as const }))
          : h.filter((op) => reads.has(op.f)).map((op) => (op.type === 'invoke' ? op : { ...op, type: 'info' as const, value: null }));
        const r = await linearizable({ model }).check(nothing, {});
        expect(r.valid).toBe(true);
        expect(r.stats?.['ops']).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('values the cas-register model cannot interpret', () => {
  const notAPair = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 1 }), fc.array(fc.integer(), { minLength: 3, maxLength: 4 }), fc.dictionary(fc.string(), fc.integer()));
  it('a cas whose value is not a pair is bad input, not a violation, whatever its outcome', async () => {
    await fc.assert(
      fc.asyncProperty(registerHistory, notAPair, fc.constantFrom('ok', 'fail', 'info'), async (h, value, type) => {
        const at = h.length;
        const cas: Op[] = [
          { index: at, time: at, type: 'invoke', process: 99, f: 'cas', value },
          { index: at + 1, time: at + 1, type, process: 99, f: 'cas', value },
        ];
        const err = await refusal([...h, ...cas], 'cas-register');
        expect(err.message).toMatch(new RegExp(`^op #${at} \\(process 99\\): a cas takes \\[expected, new\\], not `));
      }),
      { numRuns: RUNS },
    );
  });
});
