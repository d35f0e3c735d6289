/**
 * Where a run's output goes: `results/<timestamp>-<name>/` with `results/latest` pointing at
 * the newest run, plus a scratch directory for node data that is removed when the run ends.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync, lstatSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../user-error.js';

export interface RunDirs {
  /** The run's results directory. */
  root: string;
  history: string;
  results: string;
  report: string;
  junit: string;
  /** Per-node log files. */
  logFile: (node: string) => string;
  /** Scratch space for node data and clock files; removed at the end of the run. */
  scratch: string;
}

/** A directory-name-safe timestamp in UTC: 20261123T153447Z. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function createRunDirs(resultsRoot: string, name: string, now: Date): RunDirs {
  const rootDir = resolve(resultsRoot);
  try {
    mkdirSync(rootDir, { recursive: true });
    accessSync(rootDir, constants.W_OK);
  } catch {
    throw new UserError(`cannot write results to ${rootDir}: choose a writable directory with --results-dir`);
  }
  const safeName = name.replace(/[^A-Za-z0-9._+-]+/g, '_');
  let root = join(rootDir, `${stamp(now)}-${safeName}`);
  for (let n = 2; exists(root); n++) root = join(rootDir, `${stamp(now)}-${safeName}-${n}`);
  mkdirSync(join(root, 'nodes'), { recursive: true });
  pointLatest(rootDir, root);
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-'));
  // Lets `faultline clean` tell a scratch directory of a dead run from one in use.
  writeFileSync(join(scratch, 'owner.pid'), `${process.pid}\n`);
  return {
    root,
    history: join(root, 'history.jsonl'),
    results: join(root, 'results.json'),
    report: join(root, 'report.html'),
    junit: join(root, 'junit.xml'),
    logFile: (node) => join(root, 'nodes', `${node}.log`),
    scratch,
  };
}

export function removeScratch(dirs: RunDirs): void {
  rmSync(dirs.scratch, { recursive: true, force: true });
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function pointLatest(rootDir: string, runDir: string): void {
  const link = join(rootDir, 'latest');
  if (exists(link)) unlinkSync(link);
  symlinkSync(runDir.slice(rootDir.length + 1), link);
}
