/**
 * Other linearizability checkers on the same published histories, in the same run, timed
 * beside faultline's: Porcupine through `PORCUPINE_BIN`, Knossos through `KNOSSOS_CMD`.
 *
 * Why environment variables: neither checker ships with faultline (one is Go, the other
 * Clojure), so the benchmark only knows how to call one, and runs it when the variable is set.
 *
 * The interface, for both:
 * - `PORCUPINE_BIN` is a path to an executable; it is run as `$PORCUPINE_BIN <history file>`.
 * - `KNOSSOS_CMD` is a shell command; it is run as `sh -c '$KNOSSOS_CMD "$1"' sh <history file>`,
 *   i.e. with the file appended as the last argument (e.g.
 *   `KNOSSOS_CMD='lein run -m knossos.cli --model cas-register'`, run from Knossos's folder).
 * - The file is a Jepsen log (`porcupine-etcd`, `generated-register`: a cas-register) or EDN op
 *   maps (`porcupine-kv`: a get / put / append store, keys decomposed). The environment says
 *   which: `FAULTLINE_BENCH_MODEL` is `cas-register` or `kv`, `FAULTLINE_BENCH_FORMAT` is
 *   `jepsen-log` or `edn`.
 * - The verdict is read from stdout: `:valid? false`, `not linearizable`, `not-linearizable`,
 *   `illegal` or `invalid` mean not linearizable; `:valid? :unknown` or `unknown` mean unknown;
 *   `:valid? true`, `linearizable`, `valid` or `ok` mean linearizable. With none of these, the
 *   exit code decides: 0 linearizable, 1 not linearizable, anything else unknown.
 * - The time is the process's wall time, start-up included (a JVM's start-up is seconds, so
 *   Knossos's small-history figures mostly measure that).
 */
import type { Reporter } from './format.js';
import { round } from './format.js';
import { runProcess } from './child.js';
import type { PublishedHistory } from './published.js';

/** An external checker: its name and how to run it on one file. */
interface External {
  name: string;
  command: string;
  args: (file: string) => string[];
}

/** The external checkers configured in `env`. */
export function externalCheckers(env: NodeJS.ProcessEnv = process.env): External[] {
  const out: External[] = [];
  const bin = env['PORCUPINE_BIN'];
  if (bin) out.push({ name: 'porcupine', command: bin, args: (file) => [file] });
  const cmd = env['KNOSSOS_CMD'];
  if (cmd) out.push({ name: 'knossos', command: 'sh', args: (file) => ['-c', `${cmd} "$1"`, 'sh', file] });
  return out;
}

/** The verdict an external checker printed (or its exit code). */
export function parseVerdict(stdout: string, code: number | null): string {
  if (/:valid\?\s+false|not[- ]linearizable|\billegal\b|\binvalid\b/i.test(stdout)) return 'not-linearizable';
  if (/:valid\?\s+:unknown|\bunknown\b/i.test(stdout)) return 'unknown';
  if (/:valid\?\s+true|\blinearizable\b|\bvalid\b|\bok\b/i.test(stdout)) return 'linearizable';
  return code === 0 ? 'linearizable' : code === 1 ? 'not-linearizable' : 'unknown';
}

/**
 * Run every configured external checker on every history and report one `external` figure per
 * run, with `ratio` = their time / ours (above 1: faultline is faster). Does nothing, with a
 * note, when none is configured.
 */
export async function benchExternal(histories: readonly PublishedHistory[], reporter: Reporter, timeoutMs: number): Promise<void> {
  const checkers = externalCheckers();
  if (checkers.length === 0) {
    reporter.note('external: skipped (set PORCUPINE_BIN or KNOSSOS_CMD to compare other checkers)');
    return;
  }
  for (const ext of checkers) {
    let theirs = 0;
    let ours = 0;
    let agree = true;
    for (const h of histories) {
      const env = { FAULTLINE_BENCH_MODEL: h.model, FAULTLINE_BENCH_FORMAT: h.model === 'kv' ? 'edn' : 'jepsen-log' };
      const run = await runProcess(ext.command, ext.args(h.path), { timeoutMs, env }).catch((err: Error) => err);
      if (run instanceof Error) {
        reporter.figure('external', `${ext.name} ${h.set}/${h.file}`, { error: run.message });
        agree = false;
        continue;
      }
      const verdict = run.timedOut ? 'unknown' : parseVerdict(run.stdout, run.code);
      theirs += run.wallMs;
      ours += h.ourMs;
      agree &&= verdict === h.expected;
      reporter.figure('external', `${ext.name} ${h.set}/${h.file}`, {
        ms: round(run.wallMs, 1),
        verdict,
        expected: h.expected,
        ok: verdict === h.expected,
        ourMs: h.ourMs,
        ratio: round(run.wallMs / Math.max(h.ourMs, 0.01), 1),
      });
    }
    reporter.figure('external', `${ext.name} (total, ${histories.length} histories)`, {
      ms: round(theirs, 1),
      ok: agree,
      ourMs: round(ours, 1),
      ratio: round(theirs / Math.max(ours, 0.01), 1),
    });
  }
}
