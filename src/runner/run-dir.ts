/**
 * Where a run's output goes: `results/<timestamp>-<name>/` with `results/latest` pointing at
 * the newest run, plus a scratch directory for node data that is removed when the run ends.
 * The scratch directory (`<tmpdir>/faultline-XXXXXX`) holds an owner.pid file naming the
 * harness (see process-identity.ts), so `faultline clean` can tell one of a dead run from one
 * in use.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync, lstatSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { identityAlive, processIdentity, processStartTime } from '../process-identity.js';
import { UserError } from '../user-error.js';

/** Scratch directories are `<tmpdir>/faultline-XXXXXX`. */
const SCRATCH_PREFIX = 'faultline-';
/** A scratch directory being made: it gets its owner file under this name, then its real one. */
const NEW_SCRATCH_PREFIX = '.faultline-new-';
/** The file in a scratch directory naming the harness that owns it. */
const OWNER_FILE = 'owner.pid';
/** The file in a results directory naming the harness writing it; removed when the run is written. */
const HARNESS_FILE = 'harness.pid';

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
export function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function createRunDirs(resultsRoot: string, name: string, now: Date): RunDirs {
  const rootDir = resolve(resultsRoot);
  const safeName = name.replace(/[^A-Za-z0-9._+-]+/g, '_');
  let root = join(rootDir, `${stamp(now)}-${safeName}`);
  try {
    makeDirs(rootDir);
    accessSync(rootDir, constants.W_OK);
    for (let n = 2; exists(root); n++) root = join(rootDir, `${stamp(now)}-${safeName}-${n}`);
    makeDirs(join(root, 'nodes'));
    writeFileSync(join(root, HARNESS_FILE), `${processIdentity()}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENAMETOOLONG') throw new UserError(`cannot make the run directory ${root}: the path is too long; shorten --name or --results-dir`);
    throw new UserError(`cannot write results to ${rootDir}${code ? ` (${code})` : ''}: choose a writable directory with --results-dir`);
  }
  pointLatest(rootDir, root);
  return { ...runFiles(root), scratch: makeScratch() };
}

/**
 * A scratch directory that has its owner file from the moment it has its name: it is made and
 * given owner.pid under a name `faultline clean` also looks at, then renamed, so no crash leaves a
 * `faultline-*` directory that clean cannot attribute.
 */
function makeScratch(root: string = tmpdir()): string {
  try {
    const staging = mkdtempSync(join(root, NEW_SCRATCH_PREFIX));
    writeFileSync(join(staging, OWNER_FILE), `${processIdentity()}\n`);
    const scratch = join(root, SCRATCH_PREFIX + basename(staging).slice(NEW_SCRATCH_PREFIX.length));
    renameSync(staging, scratch);
    return scratch;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UserError(`cannot make a scratch directory in ${root} (${code}): set TMPDIR to a writable directory`);
  }
}

/**
 * `mkdir -p` without Node's recursive mkdir, which never returns on a path it cannot make under
 * procfs or sysfs (`/proc/x`: it is told the path does not exist, makes the parent, which
 * exists, and tries again, for ever). Each directory is tried once after its parent is made.
 */
function makeDirs(path: string): void {
  try {
    mkdirSync(path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw err;
  }
  makeDirs(dirname(path));
  mkdirSync(path);
}

/** The files of a run directory. */
function runFiles(root: string): Omit<RunDirs, 'scratch'> {
  return {
    root,
    history: join(root, 'history.jsonl'),
    results: join(root, 'results.json'),
    report: join(root, 'report.html'),
    junit: join(root, 'junit.xml'),
    logFile: (node) => join(root, 'nodes', `${node}.log`),
  };
}

/** The run's results are written: no harness is at work in its directory any more. */
export function markRunWritten(dirs: RunDirs): void {
  rmSync(join(dirs.root, HARNESS_FILE), { force: true });
}

/**
 * The pid of the harness still writing the run directory `root`, if one is: its harness.pid names
 * a live process (pid and start time, so a reused pid does not count). A run of an older
 * faultline, or one whose harness died, has none.
 */
export function runningHarness(root: string): string | undefined {
  let identity: string;
  try {
    identity = readFileSync(join(root, HARNESS_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  const match = /^(\d+)@(\d+)$/.exec(identity);
  return match && processStartTime(Number(match[1])) === match[2] ? match[1] : undefined;
}

/**
 * Remove the scratch directory, its owner file last: if anything else cannot be removed (a node
 * still writing, a forced exit cut short), the directory keeps its owner and `faultline clean`
 * removes it once the harness is gone. Never throws (it also runs in an exit handler).
 */
export function removeScratch(dirs: Pick<RunDirs, 'scratch'>): void {
  try {
    for (const entry of readdirSync(dirs.scratch)) {
      if (entry !== OWNER_FILE) rmSync(join(dirs.scratch, entry), { recursive: true, force: true });
    }
    rmSync(join(dirs.scratch, OWNER_FILE), { force: true });
    rmSync(dirs.scratch, { recursive: true, force: true });
  } catch {
    // Left for faultline clean, with its owner file.
  }
}

/** A scratch directory whose owning harness is gone, and who that was. */
export interface LeftoverScratch {
  dir: string;
  owner: string;
}

/**
 * Scratch directories under `root` (the temp directory) whose owner.pid names a harness that no
 * longer runs. Directories without an owner file (being made, or not faultline's) are skipped.
 */
export function leftoverScratchDirs(root: string = tmpdir()): LeftoverScratch[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => name.startsWith(SCRATCH_PREFIX) || name.startsWith(NEW_SCRATCH_PREFIX));
  } catch {
    return [];
  }
  const out: LeftoverScratch[] = [];
  for (const name of names) {
    const dir = join(root, name);
    let owner: string;
    try {
      owner = readFileSync(join(dir, OWNER_FILE), 'utf8').trim();
    } catch {
      continue;
    }
    if (!identityAlive(owner)) out.push({ dir, owner });
  }
  return out;
}

/**
 * The last meaningful line of a node's log (not a stack frame, not Node's version banner), cut
 * to one short line: what a node that died at once last said. Empty when there is none.
 */
export function lastLogLine(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').slice(-8192);
  } catch {
    return '';
  }
  const lines = text.split('\n').map((l) => l.trim());
  const line = lines.reverse().find((l) => l !== '' && !/^at\s|^Node\.js v\d|^\^+$/.test(l)) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
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
