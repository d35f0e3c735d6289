/**
 * The log line writer of bundled nodes. One line per event:
 *
 *   2025-01-02T03:04:05.678Z n1 INFO became leader term=3 commit=17
 *
 * The timestamp is true time (the harness correlates it with its own history), followed by the
 * node's skew when its clock file sets one. Lines go to stdout, which the harness sends to the
 * node's log file. Logging is never a protocol decision, so true time is right here.
 */
import type { Clock } from './clock.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Log at most once per `everyMs` for the given key (for hot paths such as bug paths). */
  every(key: string, everyMs: number, level: LogLevel, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** The node id printed on every line. */
  node: string;
  /** When given, lines show the clock's skew (`skew=+30000ms`) while it is not zero. */
  clock?: Clock;
  /** Lines below this level are dropped; default `info` (or `debug` when FAULTLINE_DEBUG is set). */
  level?: LogLevel;
  /** Where lines go; default process.stdout. */
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(opts: LoggerOptions): Logger {
  const min = RANK[opts.level ?? (process.env.FAULTLINE_DEBUG ? 'debug' : 'info')];
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const lastAt = new Map<string, number>();

  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    let line = `${new Date().toISOString()} ${opts.node} ${level.toUpperCase()} ${message}`;
    if (fields) line += formatFields(fields);
    const skew = opts.clock?.offset() ?? 0;
    if (skew !== 0) line += ` skew=${skew > 0 ? '+' : ''}${skew}ms`;
    write(line + '\n');
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    every(key, everyMs, level, message, fields) {
      const now = performance.now();
      const last = lastAt.get(key);
      if (last !== undefined && now - last < everyMs) return;
      lastAt.set(key, now);
      emit(level, message, fields);
    },
  };
}

/** ` k=v k2=v2`, with strings that contain spaces or quotes JSON-quoted. */
export function formatFields(fields: LogFields): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${formatValue(value)}`;
  }
  return out;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
