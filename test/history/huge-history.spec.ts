/**
 * Histories past V8's largest string (512 MiB) are read, not refused with an internal error: a
 * long soak run writes one. The file is generated in a temporary directory, written as a stream
 * and deleted afterwards.
 *
 * The first test runs in every suite: 560 MiB of JSONL in ops whose values are 64 KiB each, so
 * the file is huge but its ops are few and the test takes seconds. The streaming itself is the
 * same whatever the size of an op, and test/fuzz/history-formats.spec.ts checks it op by op with
 * chunks of a few bytes. Realistic soak histories (millions of small ops, in JSONL and as one
 * EDN vector on one line) take minutes and gigabytes of memory on two cores, too much for a
 * suite that must stay under 20 minutes, so they run only with FAULTLINE_HUGE_HISTORY=1.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/formats/index.js';

const MiB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'faultline-huge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `count` pieces from `piece` to a new file, honouring back-pressure; returns its path. */
async function generate(name: string, count: number, piece: (i: number) => string, head = '', tail = ''): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  out.write(head);
  for (let i = 0; i < count; i++) if (!out.write(piece(i))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  out.write(tail);
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return path;
}

const jsonOp = (i: number, value: unknown): string =>
  `${JSON.stringify({ index: i, time: i * 1000, type: i % 2 === 0 ? 'invoke' : 'ok', process: (i >> 1) % 50, f: 'write', key: String(i % 7), value, node: 'n1' })}\n`;

describe('histories over 512 MiB', () => {
  it('a 560 MiB history.jsonl is read in full', async () => {
    const blob = 'x'.repeat(64 * 1024);
    const count = (560 * MiB) / (blob.length + 120);
    const path = await generate('big.jsonl', count, (i) => jsonOp(i, `${i}:${blob}`));
    expect(statSync(path).size).toBeGreaterThan(512 * MiB);
    const history = await readHistoryFile(path);
    rmSync(path);
    expect(history.warnings).toEqual([]);
    expect(history.ops).toHaveLength(Math.ceil(count));
    expect(history.ops.at(-1)).toMatchObject({ index: Math.ceil(count) - 1, value: `${Math.ceil(count) - 1}:${blob}` });
  }, 300_000);

  it.runIf(process.env['FAULTLINE_HUGE_HISTORY'] === '1')('a soak run\'s 600 MiB history.jsonl of small ops is read in full', async () => {
    const count = 5_500_000;
    const path = await generate('soak.jsonl', count, (i) => jsonOp(i, i));
    expect(statSync(path).size).toBeGreaterThan(512 * MiB);
    const history = await readHistoryFile(path);
    rmSync(path);
    expect(history.ops).toHaveLength(count);
    expect(history.ops.at(-1)).toMatchObject({ index: count - 1, value: count - 1 });
  }, 1_800_000);

  it.runIf(process.env['FAULTLINE_HUGE_HISTORY'] === '1')('a list-append history of 560 MiB as one EDN vector on a single line is read in full', async () => {
    const count = 3_300_000;
    const list = Array.from({ length: 30 }, (_, i) => i + 1);
    const path = await generate('one-line.edn', count, (i) => `{:index ${i}, :type :${i % 2 === 0 ? 'invoke' : 'ok'}, :process ${(i >> 1) % 50}, :f :txn, :value [[:append ${i % 7} ${i}] [:r 3 [${list.join(' ')}]]]} `, '[', ']');
    expect(statSync(path).size).toBeGreaterThan(512 * MiB);
    const history = await readHistoryFile(path);
    rmSync(path);
    expect(history.warnings).toEqual([]);
    expect(history.ops).toHaveLength(count);
    expect(history.ops.at(-1)).toMatchObject({ index: count - 1, value: [['append', (count - 1) % 7, count - 1], ['r', 3, list]] });
  }, 1_800_000);
});
