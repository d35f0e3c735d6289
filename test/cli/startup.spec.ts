// Start-up of the CLI: a command line that names a command loads that command alone, the
// commands that read saved runs (check, report, list) never load the host backends' packages, and
// `faultline check` of a history file loads only what checks it: no fast-check (which only
// generated schedules use), no systems, workloads or nemeses, no other checker.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandsFor, namedCommand } from '../../src/cli/commands.js';
import { ROOT } from '../helpers/cli.js';

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

  it('faultline check of a history file loads neither fast-check, nor the plug-ins, nor other checkers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
    try {
      const history = join(dir, 'h.jsonl');
      const op = (index: number, type: string) => JSON.stringify({ index, time: index, type, process: 0, f: 'write', value: 1 });
      writeFileSync(history, `${op(0, 'invoke')}\n${op(1, 'ok')}\n`);
      const log = join(dir, 'modules.log');
      const preload = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));
      // The built CLI (test/global-setup.ts builds it), as users start it.
      execFileSync(process.execPath, ['--import', preload, join(ROOT, 'bin', 'faultline.js'), 'check', history], { env: { ...process.env, FAULTLINE_MODULE_LOG: log }, encoding: 'utf8' });
      const loaded = readFileSync(log, 'utf8').split('\n');
      expect(loaded.some((m) => m.includes('/checkers/linearizable/')), 'the log records the checker it used').toBe(true);
      const unwanted = loaded.filter((m) => /node_modules\/(fast-check|pure-rand)\/|\/(registry|plugin-loader)\.js$|\/(clusters|workloads|nemeses|checkers\/elle|checkers\/bank|src\/runner\/resolve)/.test(m));
      expect(unwanted).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
