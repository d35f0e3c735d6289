/**
 * Plug-ins from outside the project, end to end through the built CLI: the worked example of
 * docs/plugins.md, copied out of the document into a temporary folder and nothing else, runs,
 * is listed, finds its bug, is stored in test.json and re-checked from elsewhere; a capability
 * the system lacks is refused; every broken plug-in gets one line and exit code 2.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, content: string): string {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

/** Every code block docs/plugins.md marks with `<!-- file: path -->`, written under `dir`. */
function writeDocsExample(): string[] {
  const docs = readFileSync(join(ROOT, 'docs', 'plugins.md'), 'utf8');
  const files = [...docs.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];
  for (const [, path, code] of files) write(path as string, code as string);
  return files.map((m) => m[1] as string);
}

/** One line on stderr, exit code 2, no stack trace. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

const short = ['--nodes', '1', '--nemesis', 'pause', '--time-limit', '3', '--recovery-time', '1', '--nemesis-interval', '1'];

describe('the docs/plugins.md example, written from the document alone', () => {
  const written = writeDocsExample();

  it('documents the two files of the example', () => {
    expect(written.sort()).toEqual(['tinykv/index.mjs', 'tinykv/node.mjs']);
  });

  it('faultline list --plugin shows the system and its bug', async () => {
    const r = await runCli(['list', '--plugin', './tinykv'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tinykv .*one-node in-memory key-value store/);
    expect(r.stdout).toMatch(/--bug blind-cas/);
  });

  it('runs VALID, stores the plug-in in test.json, and is re-checked from another directory', async () => {
    const r = await runCli(['test', '--cluster', './tinykv', ...short, '--seed', '1', '--results-dir', 'ok'], dir);
    expect(r.stderr).toMatch(/verdict: VALID/);
    expect(r.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'ok', 'latest', 'test.json'), 'utf8')) as { spec: { cluster: string; plugins: string[] }; command: string };
    expect(saved.spec.cluster).toBe('tinykv');
    expect(saved.spec.plugins).toEqual([join(dir, 'tinykv', 'index.mjs')]);
    expect(saved.command).toContain(`--plugin ${join(dir, 'tinykv', 'index.mjs')}`);
    const check = await runCli(['check', join(dir, 'ok', 'latest')], tmpdir());
    expect(check.code).toBe(0);
    const report = await runCli(['report', join(dir, 'ok', 'latest')], tmpdir());
    expect(report.code).toBe(0);
    // Three CLI runs (test, check, report) from a cold start: slow when the suite shares two cores.
  }, 180_000);

  it('finds its known bug: INVALID, exit 1', async () => {
    const r = await runCli(['test', '--cluster', './tinykv', ...short, '--seed', '2', '--bug', 'blind-cas', '--results-dir', 'bug'], dir);
    expect(r.stderr).toMatch(/verdict: INVALID/);
    expect(r.code).toBe(1);
  }, 180_000);

  it('refuses --nemesis clock before the run, since the system lacks a clock to skew', async () => {
    const r = await runCli(['test', '--cluster', './tinykv', '--nodes', '1', '--nemesis', 'clock', '--results-dir', 'clock'], dir);
    expectOneLine(r, /--nemesis clock cannot run against tinykv: tinykv never reads the time/);
  });
});

describe('plug-ins from npm packages', () => {
  it('finds a package in node_modules through its exports and lists its workload and nemesis', async () => {
    const pkg = 'node_modules/@acme/faultline-extras';
    write(`${pkg}/package.json`, JSON.stringify({ name: '@acme/faultline-extras', type: 'module', exports: { '.': { import: './lib/main.js' } } }));
    write(
      `${pkg}/lib/main.js`,
      `export default {
        apiVersion: 1,
        workloads: [{ name: 'acme-echo', description: 'acme: echo workload', build: () => { throw new Error('unused'); } }],
        nemeses: [{ name: 'acme-noop', description: 'acme: does nothing', build: () => ({ fs: [], invoke: async () => null, heal: async () => {} }), schedule: () => [] }],
      };\n`,
    );
    const r = await runCli(['list', '--plugin', '@acme/faultline-extras'], join(dir, 'tinykv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acme-echo\s+acme: echo workload/);
    expect(r.stdout).toMatch(/acme-noop\s+acme: does nothing/);
  });

  it('shows a plug-in system\'s options in faultline test --help', async () => {
    write('opt/index.mjs', `export default { name: 'opt-sys', description: 'd', bugs: {}, clients: {}, launch: () => ({ command: 'true', args: [] }), options: { 'opt-level': { describe: 'how much opt', default: 'low' } } };\n`);
    const r = await runCli(['test', '--help', '--plugin', './opt'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--opt-level\s+how much opt \(opt-sys; default low\)/);
  });
});

describe('a broken plug-in gets one line and exit code 2', () => {
  const cases: [string, string | undefined, string[], RegExp][] = [
    ['a missing path', undefined, ['list', '--plugin', './nowhere'], /plug-in '\.\/nowhere': no such file or folder/],
    ['a missing package', undefined, ['list', '--plugin', 'no-such-faultline-plugin'], /no npm package of that name .*npm install no-such-faultline-plugin/],
    ['a module that throws', 'export default {};\nthrow new Error("boom at import");\n', [], /plug-in '.*' failed to load .*: boom at import/],
    ['a syntax error', 'export default {\n', [], /plug-in '.*' failed to load/],
    ['no default export', 'export const x = 1;\n', [], /exports no systems, workloads or nemeses/],
    ['a system without launch()', `export default { name: 'half', description: 'd', bugs: {}, clients: {} };\n`, [], /system 'half' lacks launch\(\)/],
    ['a client without open()', `export default { name: 'noopen', description: 'd', bugs: {}, clients: { register: {} }, launch: () => ({ command: 'true', args: [] }) };\n`, [], /'register' client that lacks open\(\)/],
    ['a taken name', `export default { name: 'raft-kv', description: 'd', bugs: {}, clients: {}, launch: () => ({ command: 'true', args: [] }) };\n`, [], /a system named 'raft-kv' exists already/],
    ['a newer API version', `export default { apiVersion: 99, systems: [] };\n`, [], /written for faultline\/api version 99/],
  ];
  it.each(cases)('%s', async (name, source, args, pattern) => {
    const path = source === undefined ? undefined : write(`broken/${name.replace(/\W+/g, '-')}.mjs`, source);
    const r = await runCli(path ? ['list', '--plugin', path] : args, dir);
    expectOneLine(r, pattern);
  });

  it('--cluster <path> that defines two systems says how to pick one', async () => {
    const sys = (n: string) => `{ name: '${n}', description: 'd', bugs: {}, clients: {}, launch: () => ({ command: 'true', args: [] }) }`;
    const path = write('two/index.mjs', `export default { systems: [${sys('one')}, ${sys('two')}] };\n`);
    const r = await runCli(['test', '--cluster', path], dir);
    expectOneLine(r, /defines 2 systems \(one, two\): give --plugin .* --cluster <name>/);
  });

  it('a system whose check() refuses the test stops it before anything starts', async () => {
    const path = write('needs-bin/index.mjs', `export default { name: 'needs-bin', description: 'd', bugs: {}, clients: { register: { open: async () => ({}) } }, launch: () => ({ command: 'x', args: [] }), check: () => { throw new Error('the binary frobd is not on PATH: apt-get install frobd'); } };\n`);
    const r = await runCli(['test', '--cluster', path, '--results-dir', 'never'], dir);
    expectOneLine(r, /needs-bin: the binary frobd is not on PATH: apt-get install frobd/);
  });
});

describe('faultline/api', () => {
  it('type-checks a TypeScript plug-in that imports its interfaces from the package', async () => {
    const { execFileSync } = await import('node:child_process');
    const { symlinkSync } = await import('node:fs');
    const project = join(dir, 'ts-plugin');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'faultline'));
    write('ts-plugin/package.json', JSON.stringify({ type: 'module' }));
    write('ts-plugin/tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['index.ts'] }));
    const plugin = (launch: string) => `import { API_VERSION, type Plugin, type SystemDef } from 'faultline/api';
const system: SystemDef = { name: 'typed', description: 'd', bugs: {}, clients: {}, launch: ${launch} };
export default { apiVersion: API_VERSION, systems: [system] } satisfies Plugin;\n`;
    const tsc = (): string => {
      try {
        execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
        return '';
      } catch (err) {
        return String((err as { stdout?: string }).stdout);
      }
    };
    write('ts-plugin/index.ts', plugin(`(plan) => ({ command: 'x', args: [plan.clientListen] })`));
    expect(tsc()).toBe('');
    write('ts-plugin/index.ts', plugin(`(plan) => ({ command: 'x', args: [plan.noSuchField] })`));
    expect(tsc()).toMatch(/noSuchField/);
  });
});
