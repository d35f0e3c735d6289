/**
 * `npm run bench`: faultline's figures in one run. JSON lines on stdout (one object per figure:
 * `{suite, name, ...figures}`), a table per suite on stderr.
 *
 * Suites, in order:
 * - `checker`: every published history in ../shared/bench (verdict, time, Porcupine's time);
 * - `scale`: generated cas-register histories of growing size and concurrency (child per case);
 * - `harness`: recorded operations per second through the real CLI (memory-kv, raft-kv);
 * - `report`: report.html for a 100 000-operation history: time to write it, its size, and the
 *   time Chromium takes to open and draw it;
 * - `elle`: the transactional checker on 10k / 100k (/ 1M with --full) generated transactions,
 *   clean, with injected anomalies, and one enormous strongly connected component;
 * - `external`: Porcupine / Knossos on the published histories, when PORCUPINE_BIN / KNOSSOS_CMD
 *   are set (see bench/external.ts for the interface).
 *
 * Why one script: the figures go together in the README, and a single command on a fresh clone
 * must reproduce them. Modes: default (a few minutes), `--quick` (about a minute), `--full`
 * (adds the 1M-operation histories and the slow harness case). `--only scale,report` runs a
 * subset. Figures are measurements, never assertions: the exit code is 0 unless the benchmark
 * itself broke or a checker gave a wrong definite verdict (one that gives up, `unknown`, is
 * reported, not failed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchElle, elleInputs } from './elle.js';
import { benchExternal } from './external.js';
import { Reporter, round, type FigureValue } from './format.js';
import { benchHarness, harnessCases } from './harness.js';
import { benchPublished } from './published.js';
import { benchReport } from './report-bench.js';
import { benchScale, scaleInputs } from './scale.js';

const SUITES = ['checker', 'scale', 'harness', 'report', 'elle', 'external'] as const;

/** Where the figures come from: cores, memory, Node, OS, and how busy the machine already was. */
function machine(mode: string): Record<string, FigureValue> {
  const release = existsSync('/etc/os-release') ? /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : undefined;
  return {
    mode,
    cores: availableParallelism(),
    memGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    os: release ?? `${process.platform}/${process.arch}`,
    load1: round(loadavg()[0] ?? 0, 1),
  };
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    'checker-timeout': { type: 'string', default: '120' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stderr.write(
    'npm run bench [-- --quick | --full] [--only checker,scale,harness,report,elle,external] [--checker-timeout s]\n' +
      'JSON lines on stdout, tables on stderr. PORCUPINE_BIN / KNOSSOS_CMD add other checkers; FAULTLINE_BENCH_CLI picks the CLI entry.\n',
  );
  process.exit(0);
}
const mode = values.full ? 'full' : values.quick ? 'quick' : 'default';
const only = values.only?.split(',').map((s) => s.trim()) ?? [...SUITES];
const unknown = only.filter((s) => !(SUITES as readonly string[]).includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}; suites: ${SUITES.join(', ')}\n`);
  process.exit(2);
}
const timeoutMs = Number(values['checker-timeout']) * 1000;
const wants = (s: (typeof SUITES)[number]): boolean => only.includes(s);

const reporter = new Reporter();
const t0 = performance.now();
reporter.note(`faultline bench (${mode})`);
reporter.figure('machine', 'this run', machine(mode));
const published = wants('checker') || wants('external') ? await benchPublished(reporter, timeoutMs) : [];
if (wants('scale')) await benchScale(scaleInputs(mode, timeoutMs), reporter);
if (wants('harness')) await benchHarness(harnessCases(mode), reporter);
if (wants('report')) await benchReport({ ops: 100_000, processes: 20, seed: 1 }, reporter);
if (wants('elle')) await benchElle(elleInputs(mode, timeoutMs), reporter);
if (wants('external')) await benchExternal(published, reporter, timeoutMs);
reporter.printTables();
reporter.note(`\ndone in ${Math.round((performance.now() - t0) / 1000)} s`);
// A checker that gives up (unknown) is a figure; a wrong definite verdict or a broken case is not.
const unknowns = reporter.all().filter((f) => f['ok'] === false && f['verdict'] === 'unknown');
if (unknowns.length > 0) reporter.note(`${unknowns.length} case(s) left undecided (unknown): ${unknowns.map((f) => `${f.suite} ${f.name}`).join('; ')}`);
const broken = reporter.all().filter((f) => f['error'] !== undefined || (f['ok'] === false && f['verdict'] !== 'unknown'));
if (broken.length > 0) {
  const names = broken.map((f) => `${f.suite} ${f.name}`).join('; ');
  reporter.note(`${broken.length} figure(s) with an error or a wrong verdict: ${names}`);
  process.exitCode = 1;
}
