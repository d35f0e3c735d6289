// Start-up of the CLI: a command line that names a command loads that command alone, and the
// commands that read saved runs (check, report, list) never load the host backends' packages.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandsFor, namedCommand } from '../../src/cli/commands.js';

describe('CLI start-up', () => {
  it('finds the command a command line names, past global options', () => {
    expect(namedCommand(['check', 'h.log', '--model', 'kv'])).toBe('check');
    expect(namedCommand(['--verbose', 'report', 'results/x'])).toBe('report');
    expect(namedCommand(['--plugin', 'test', 'list'])).toBe('list');
    expect(namedCommand(['--plugin=./p.js', 'check-hosts'])).toBe('check-hosts');
    // Help, a typo, or nothing: every command is loaded, for the listing and the suggestion.
    expect(namedCommand(['--help'])).toBeUndefined();
    expect(namedCommand(['chek', 'x'])).toBeUndefined();
    expect(namedCommand([])).toBeUndefined();
  });

  it('registers one command when one is named, and all of them otherwise', async () => {
    expect((await commandsFor(['list'])).map((c) => c.command)).toEqual(['list']);
    const all = (await commandsFor(['--help'])).map((c) => String(c.command).split(' ')[0]);
    expect(all).toEqual(['test', 'check', 'report', 'serve', 'shrink', 'list', 'matrix', 'clean', 'lab', 'check-hosts']);
  });

  it('check, report, list and clean load neither dockerode, ssh2 nor tar-stream', () => {
    // In a fresh process, so that no other test has loaded them already.
    const script = [
      "import { createRequire } from 'node:module';",
      "for (const m of ['check', 'report', 'list', 'clean']) await import(`./src/cli/${m}.ts`);",
      "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules\\/(dockerode|ssh2|tar-stream)\\//.test(k));",
      'process.stdout.write(JSON.stringify(loaded));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
