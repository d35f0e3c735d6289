/** Runs the built faultline CLI (test/global-setup.ts builds it), as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI with the fixture systems of test/fixtures/fixture-cli.ts registered too. */
export const FIXTURE_MAIN = fileURLToPath(new URL('../fixtures/fixture-cli.ts', import.meta.url));

/** Start `faultline <args>` (from `entry`, the CLI by default, with `env` added); `done` resolves with its exit code and output. */
export function startCli(args: string[], cwd = ROOT, entry = MAIN, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, entry, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], cwd = ROOT, entry = MAIN, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, cwd, entry, env).done;
}
