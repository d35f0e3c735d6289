/**
 * CPU time of a running process and of its descendants, sampled from /proc (Linux only), beside
 * the growth of a file: enough to say how much CPU the harness and the system under test spend
 * per recorded operation while the workload runs, start-up and checking left out.
 *
 * Why: on a shared machine wall-clock throughput depends on what else runs; CPU time per
 * operation does far less, and splitting it between faultline's process and the cluster's
 * processes says which side a slow figure comes from.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every mainstream Linux). */
const TICKS_PER_S = 100;

/** One sample: when, CPU ms of the root and of its descendants, and the watched file's size. */
interface Sample {
  ms: number;
  rootCpuMs: number;
  treeCpuMs: number;
  bytes: number;
}

/** CPU per unit of file growth over the steady part of a run. */
export interface CpuPerGrowth {
  /** Root process CPU ms per byte the file grew. */
  rootMsPerByte: number;
  /** Descendants' CPU ms per byte. */
  treeMsPerByte: number;
  /** Seconds of the window measured. */
  windowS: number;
}

/** `utime + stime` of `pid` in ms, and its parent pid; undefined once it is gone. */
function stat(pid: number): { cpuMs: number; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S, ppid: Number(f[1]) };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root`. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    out.push(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return out;
}

/**
 * Sample `pid`'s tree every `everyMs` while it runs, with the size of the file `file()` names
 * (undefined until it exists). `stop()` ends the sampling and returns the CPU per byte of growth
 * over the steady window: from the first growth plus one interval to the last growth minus one,
 * so start-up and the final check and report stay out. Undefined without /proc or growth.
 */
export function sampleTree(pid: number, file: () => string | undefined, everyMs = 500): { stop(): CpuPerGrowth | undefined } {
  const samples: Sample[] = [];
  // Descendants that exit between samples take their CPU with them; keep each one's last reading.
  const lastSeen = new Map<number, number>();
  const take = (): void => {
    const root = stat(pid);
    if (!root) return;
    for (const d of descendants(pid)) {
      const s = stat(d);
      if (s) lastSeen.set(d, s.cpuMs);
    }
    const path = file();
    const bytes = path && existsSync(path) ? statSync(path).size : 0;
    samples.push({ ms: performance.now(), rootCpuMs: root.cpuMs, treeCpuMs: [...lastSeen.values()].reduce((a, b) => a + b, 0), bytes });
  };
  const supported = existsSync(`/proc/${pid}/stat`);
  const timer = supported ? setInterval(take, everyMs) : undefined;
  return {
    stop(): CpuPerGrowth | undefined {
      clearInterval(timer);
      const growing = samples.map((s, i) => i > 0 && s.bytes > (samples[i - 1] as Sample).bytes);
      const first = growing.indexOf(true) + 1;
      const last = growing.lastIndexOf(true) - 1;
      if (first <= 0 || last - first < 2) return undefined;
      const a = samples[first] as Sample;
      const b = samples[last] as Sample;
      const grown = b.bytes - a.bytes;
      if (grown <= 0) return undefined;
      return {
        rootMsPerByte: (b.rootCpuMs - a.rootCpuMs) / grown,
        treeMsPerByte: (b.treeCpuMs - a.treeCpuMs) / grown,
        windowS: (b.ms - a.ms) / 1000,
      };
    },
  };
}
