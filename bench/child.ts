/**
 * Runs one benchmark case in a child Node process and measures it: wall time, exit code, output,
 * and the child's peak memory and CPU time (reported by the child itself through `USAGE_PROBE`).
 *
 * Why a child per case: peak memory is a per-process high-water mark, and the heap, the JIT and
 * the garbage left by one case would bleed into the next; a fresh process per case keeps every
 * figure its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FigureValue } from './format.js';
import { kibToMib, round } from './format.js';

/** The repository root (bench/..). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What a child did. */
export interface ChildRun {
  /** Exit code; null when it was killed (`timedOut` then says whether by us). */
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size in MiB, when the child lived to report it. */
  peakRssMib: number | undefined;
  /** CPU time (user + system) of the child itself in ms, when it lived to report it. */
  cpuMs: number | undefined;
  timedOut: boolean;
}

/** Options of `runChild`. */
export interface ChildOptions {
  /** Kill the child (SIGKILL) after this long. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with the child's pid once it is started (e.g. to sample its CPU). */
  onSpawn?: (pid: number) => void;
}

/** What any process did; `runChild` adds its resource usage. */
export type ProcessRun = Omit<ChildRun, 'peakRssMib' | 'cpuMs'>;

/** Run `command args` and wait for it, killing it (SIGKILL) after `opts.timeoutMs`. */
export function runProcess(command: string, args: readonly string[], opts: ChildOptions): Promise<ProcessRun> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
      resolve({ code, stdout: text(out), stderr: text(err), wallMs: performance.now() - t0, timedOut });
    });
  });
}

/**
 * Preloaded into every child (`--import`): at exit it writes `process.resourceUsage()`'s peak
 * resident set size (KiB) and CPU times (µs) as JSON to `FAULTLINE_BENCH_USAGE_FILE`. Plain
 * JavaScript in a data: URL, so a compiled child (the CLI from dist/) needs no TypeScript loader,
 * and Node gives a parent no other way to read a child's resource usage.
 */
const USAGE_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { writeFileSync } from 'node:fs';
const file = process.env.FAULTLINE_BENCH_USAGE_FILE;
if (file) process.on('exit', () => {
  const u = process.resourceUsage();
  try { writeFileSync(file, JSON.stringify({ maxRSS: u.maxRSS, userCPUTime: u.userCPUTime, systemCPUTime: u.systemCPUTime })); } catch {}
});`,
  );

/**
 * Run `node [--import tsx] --import <usage probe> ...args` from the repository root and wait for
 * it. `args` start with the script to run and its arguments; a `.ts` script gets tsx.
 */
export async function runChild(args: readonly string[], opts: ChildOptions): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const usageFile = join(dir, 'usage.json');
  const loader = args[0]?.endsWith('.ts') ? ['--import', 'tsx'] : [];
  try {
    const run = await runProcess(process.execPath, [...loader, '--import', USAGE_PROBE, ...args], {
      ...opts,
      env: { ...opts.env, FAULTLINE_BENCH_USAGE_FILE: usageFile },
    });
    let usage: { maxRSS: number; userCPUTime: number; systemCPUTime: number } | undefined;
    try {
      usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
    } catch {
      usage = undefined; // The child died before it could say.
    }
    return { ...run, peakRssMib: usage && kibToMib(usage.maxRSS), cpuMs: usage && round((usage.userCPUTime + usage.systemCPUTime) / 1000, 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cases bench/case-main.ts can run in a child, by name. */
export type CaseName = 'scale' | 'report' | 'elle';

/** A case's figures as it printed them, plus its peak memory. */
export type CaseResult = Record<string, FigureValue> & { peakRssMib: number | null };

/**
 * Run the case `name` with `input` in a child (bench/case-main.ts) and return the figures it
 * printed as its last stdout line. Throws when the child fails or times out.
 */
export async function runCaseInChild(name: CaseName, input: unknown, timeoutMs: number): Promise<CaseResult> {
  const run = await runChild([fileURLToPath(new URL('./case-main.ts', import.meta.url)), name, JSON.stringify(input)], { timeoutMs });
  if (run.timedOut) throw new Error(`${name} case timed out after ${Math.round(timeoutMs / 1000)} s`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || last === '') throw new Error(`${name} case exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return { ...(JSON.parse(last) as Record<string, FigureValue>), peakRssMib: run.peakRssMib ?? null };
}
