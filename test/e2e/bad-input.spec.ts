/** Bad input gets one line saying what is wrong and what to do, exit code 2, no stack trace. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const malformed = join(dir, 'bad.jsonl');
writeFileSync(malformed, '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null}\nthis is not json\n{"index":2}\n');

const cases: [string, string[], RegExp][] = [
  ['a mistyped cluster', ['test', '--cluster', 'raft-vk'], /unknown cluster 'raft-vk': did you mean 'raft-kv'/],
  ['an unknown nemesis', ['test', '--nemesis', 'partition,meteor'], /unknown nemesis 'meteor'/],
  ['an unknown bug', ['test', '--bug', 'stale-reads'], /no bug 'stale-reads' \(did you mean 'stale-read'\?\)/],
  ['a bad node count', ['test', '--nodes', '0'], /--nodes must be a positive whole number/],
  ['a bad option value', ['test', '--read-mode', 'psychic'], /option 'read-mode' must be one of/],
  ['a missing history', ['check', join(dir, 'nope.jsonl')], /no such file or directory/],
  ['a malformed history', ['check', malformed], /line 2/],
  ['an unknown command', ['tset'], /Unknown argument|Did you mean/i],
];

describe('bad input', () => {
  it.each(cases)('%s', async (_, args, message) => {
    const run = await runCli([...args, '--results-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
