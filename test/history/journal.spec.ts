import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/history/journal.js';
import { readHistoryFile } from '../../src/history/formats/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Journal', () => {
  it('numbers, times and writes each op before record() returns', () => {
    const file = join(tempDir(), 'history.jsonl');
    const journal = new Journal(file);
    const a = journal.record({ type: 'invoke', process: 0, f: 'read', key: 'x', value: null });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const b = journal.record({ type: 'ok', process: 0, f: 'read', key: 'x', value: 3 });
    journal.close();
    expect([a.index, b.index]).toEqual([0, 1]);
    expect(b.time).toBeGreaterThanOrEqual(a.time);
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([a, b]);
  });

  it('keeps every recorded op when the writer is killed with SIGKILL', async () => {
    const file = join(tempDir(), 'history.jsonl');
    const writer = spawn(process.execPath, ['--import', 'tsx', new URL('../fixtures/journal-writer.ts', import.meta.url).pathname, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reported = 0;
    await new Promise<void>((resolve) => {
      writer.stdout.on('data', (chunk: Buffer) => {
        const last = chunk.toString().trim().split('\n').pop();
        reported = Number(last);
        if (reported >= 2000) resolve();
      });
    });
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('exit', resolve));
    const history = await readHistoryFile(file);
    // Everything reported as recorded before the kill is on disk, numbered without gaps.
    expect(history.ops.length).toBeGreaterThanOrEqual(reported);
    history.ops.forEach((op, i) => expect(op.index).toBe(i));
  });
});
