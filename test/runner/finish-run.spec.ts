/** The verdict of a run in which no client operation took effect: unknown, never valid. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checker } from '../../src/api/checker.js';
import { finishRun } from '../../src/runner/finish-run.js';
import { finishInput } from '../helpers/finish.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-finish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A checker that would call anything valid. */
const lenient: Checker = { name: 'lenient', check: async () => ({ valid: true, summary: 'fine' }) };

describe('finishing a run', () => {
  it('says unknown when every client operation failed, as when no client could be opened', async () => {
    const history = join(dir, 'history.jsonl');
    const op = { process: 0, f: 'write', key: '1', value: 1, node: 'n1' };
    const lines = [
      { ...op, index: 0, time: 1, type: 'invoke' },
      { ...op, index: 1, time: 2, type: 'fail', error: 'no-client: connect ECONNREFUSED 127.0.0.1:1' },
    ];
    writeFileSync(history, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const run = await finishRun(finishInput(dir, lenient));
    expect(run.results.valid).toBe('unknown');
    expect(run.exitCode).toBe(2);
    expect(run.results.checkers.lenient?.summary).toBe('No client operation took effect (all 1 failed): nothing was checked.');
  });
});
