/**
 * Which faultline CLI the harness benchmark runs: the compiled one, as users run it.
 *
 * Why it matters: the sources run through tsx are 2 to 3 times slower per operation than the
 * compiled JavaScript (tsx wraps every function in a naming helper and transpiles on load, in the
 * harness and in every node it launches), which would make the harness figures measure tsx. So:
 * `dist/` when it is at least as new as the sources (a fresh `npm ci` builds it); otherwise a
 * fresh build into a temporary folder; the sources through tsx only if that build fails.
 * `FAULTLINE_BENCH_CLI` names another entry point.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runProcess } from './child.js';

/** The entry point chosen, what it is, and how to clean up after it. */
export interface CliEntry {
  path: string;
  /** `dist`, `fresh-build` (a temporary build), `tsx` (sources) or `env` (FAULTLINE_BENCH_CLI). */
  kind: 'dist' | 'fresh-build' | 'tsx' | 'env';
  /** Why a slower or unusual choice was made, for the person watching. */
  note?: string;
  dispose(): void;
}

const SOURCE_DIRS = ['src', 'clusters', 'workloads', 'nemeses', 'checkers'];

/** Choose (and if need be build) the CLI to benchmark. */
export async function cliEntry(): Promise<CliEntry> {
  const none = (): void => undefined;
  const override = process.env['FAULTLINE_BENCH_CLI'];
  if (override) return { path: override, kind: 'env', dispose: none };
  const dist = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const newest = SOURCE_DIRS.reduce((max, d) => Math.max(max, newestMtime(join(REPO_ROOT, d))), 0);
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest) return { path: dist, kind: 'dist', dispose: none };
  const why = existsSync(dist) ? 'dist/ is older than the sources' : 'dist/ is absent';
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-cli-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = await runProcess(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], { timeoutMs: 300_000 });
  const built = join(dir, 'dist', 'src', 'cli', 'main.js');
  if (build.code !== 0 || !existsSync(built)) {
    dispose();
    const error = build.stdout.trim().split('\n').slice(0, 2).join(' / ');
    const note = `${why} and building failed (${error}); running the sources through tsx, which is slower`;
    return { path: join(REPO_ROOT, 'src', 'cli', 'main.ts'), kind: 'tsx', note, dispose: none };
  }
  // The build resolves its packages and its version from beside it, as an installed copy does.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  copyFileSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  return { path: built, kind: 'fresh-build', note: `${why}: built a fresh copy in ${dir}`, dispose };
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}
