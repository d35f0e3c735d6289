/**
 * `faultline check` on histories the model cannot interpret: bad input, exit 2, one line saying
 * why and where. A well-formed history whose operations constrain nothing stays valid, as
 * Knossos and Porcupine say.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A JSONL history file of [process, type, f, value] rows. */
function history(name: string, rows: [number, string, string, unknown][]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map(([process, type, f, value], index) => JSON.stringify({ index, time: index, type, process, f, value })).join('\n') + '\n');
  return path;
}

const register: [number, string, string, unknown][] = [
  [0, 'invoke', 'write', 1],
  [0, 'ok', 'write', 1],
  [1, 'invoke', 'read', null],
  [1, 'ok', 'read', 1],
];

describe('faultline check refuses what the model cannot interpret', () => {
  it.each<[string, string[], RegExp]>([
    ['operations the model does not know', [history('f.jsonl', [[0, 'invoke', 'frobnicate', 1], [0, 'ok', 'frobnicate', 1]])], /f\.jsonl: op #0 \(process 0\): the cas-register model has no operation "frobnicate" \(it knows read, write, cas\)/],
    ['--model kv on a register history', [history('r.jsonl', register), '--model', 'kv'], /r\.jsonl: op #0 \(process 0\): the kv model has no operation "write" \(it knows get, put, append\)/],
    ['completions with no invocations', [history('c.jsonl', [[0, 'ok', 'write', 1], [1, 'ok', 'read', 1]])], /c\.jsonl: op #0 \(process 0\): a completion \(ok write\) with no invocation before it/],
    ['a cas whose value is not a pair', [history('cas.jsonl', [[0, 'invoke', 'cas', 5], [0, 'ok', 'cas', 5]])], /cas\.jsonl: op #0 \(process 0\): a cas takes \[expected, new\], not 5/],
    ['a completion of another function', [history('m.jsonl', [[0, 'invoke', 'write', 1], [0, 'ok', 'read', 1]])], /m\.jsonl: op #1 \(process 0\): a completion of "read" for an invocation of "write" \(op #0\)/],
  ])('%s: exit 2, one line', async (_what, args, message) => {
    const r = await runCli(['check', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.each<[string, [number, string, string, unknown][], RegExp]>([
    ['every operation failed', [[0, 'invoke', 'write', 1], [0, 'fail', 'write', 1], [1, 'invoke', 'cas', [1, 2]], [1, 'fail', 'cas', [1, 2]]], /linearizable \(nothing to order: 2 failed operations and 0 reads of unknown outcome constrain nothing\)/],
    ['only reads of unknown outcome', [[0, 'invoke', 'read', null], [0, 'info', 'read', null], [1, 'invoke', 'read', null]], /linearizable \(nothing to order: 0 failed operations and 2 reads of unknown outcome constrain nothing\)/],
  ])('%s: valid, and says why nothing was ordered', async (name, rows, summary) => {
    const r = await runCli(['check', history(`${name.replace(/\W+/g, '-')}.jsonl`, rows)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(summary);
  });

  it('takes --max-memory as a size, and refuses what is not one', async () => {
    const ok = await runCli(['check', history('ok.jsonl', register), '--max-memory', '256M']);
    expect(ok.code).toBe(0);
    for (const bad of ['lots', '1K', '0.01G']) {
      const r = await runCli(['check', join(dir, 'ok.jsonl'), '--max-memory', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--max-memory must be (a size such as 4G or 512M|at least 64M)/);
    }
  });
});
