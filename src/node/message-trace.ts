/**
 * A bundled node's record of the messages it sends and receives through the shared transport,
 * for the report's message diagram (one arrow per message, lost ones visible).
 *
 * Where it goes: `<plan.logDir>/<node>.messages.jsonl`. The node writes into the log area its
 * NodePlan names and knows nothing else; the host backend decides where that is and brings the
 * file into the run directory (the embedded default points `logDir` at the run's `nodes/`
 * directory, so there is nothing to copy; a container or SSH backend points it at a directory
 * on the node's host and collects the file with the node's log).
 *
 * Cost: a short line per event, kept in memory and appended to the file every
 * {@link FLUSH_MS} ms or {@link FLUSH_BYTES} bytes and on exit; a node killed with -9 loses at
 * most the last flush interval. The file is capped at `maxBytes` (a final
 * `cap` line says so); the trace then stops and the node runs on unrecorded.
 *
 * Format, one JSON object per line:
 * - `{"node":"n1","clock":{wallMs, monoNs, bootId},"inc":"k3j9x"}` opens each incarnation
 *   (every start of the node, restarts included): the instant the times below count from;
 * - `{"t":ns,"e":"s","p":"n2","id":"k3j9x.17","m":"append","x":"term=3 entries=[2]"}`: at
 *   `t` ns after that instant, this node sent (`s`), received (`r`) or dropped (`d`, never
 *   sent: queue overflow, a link cut for backlog) message `id` to or from peer `p`; `m` is the
 *   message's `type` and `x` its other scalar fields, for people to read.
 * A message's `id` is `<sender incarnation>.<sequence>`; it travels in the envelope as `mid`,
 * so the receiver's line names the same id.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NodePlan } from '../api/cluster.js';
import { readClocks } from './time-base.js';

/** Appends happen at least this often while messages flow. */
const FLUSH_MS = 200;
/** ... or as soon as this much is buffered. */
const FLUSH_BYTES = 256 * 1024;
/** Default cap on a trace file. */
export const TRACE_MAX_BYTES = 64 * 1024 * 1024;
/** Fields shown in `x`, at most. */
const MAX_FIELDS = 6;
/** Fields every message has, not worth repeating in `x`. */
const SKIP = new Set(['from', 'type', 'mid', 'sentAt']);

/** The trace file of `node` in `logDir`. */
export function traceFile(logDir: string, node: string): string {
  return join(logDir, `${node}.messages.jsonl`);
}

/** `term=3 entries=[2] success=true`: a message's scalar fields (arrays by length), short. */
export function messageSummary(msg: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const key in msg) {
    if (SKIP.has(key)) continue;
    const v = msg[key];
    if (Array.isArray(v)) parts.push(`${key}=[${v.length}]`);
    else if (v === null || typeof v === 'number' || typeof v === 'boolean') parts.push(`${key}=${String(v)}`);
    else if (typeof v === 'string') parts.push(`${key}=${v.length > 24 ? `${v.slice(0, 21)}...` : v}`);
    if (parts.length >= MAX_FIELDS) break;
  }
  return parts.join(' ');
}

export class MessageTrace {
  private readonly fd: number;
  private readonly startNs: bigint;
  private readonly incarnation: string;
  private seq = 0;
  private buffer: string[] = [];
  private buffered = 0;
  private written = 0;
  private full = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = (): void => this.close();

  constructor(
    readonly node: string,
    readonly file: string,
    private readonly maxBytes = TRACE_MAX_BYTES,
  ) {
    const clock = readClocks();
    this.startNs = BigInt(clock.monoNs);
    this.incarnation = Math.round(clock.wallMs).toString(36);
    this.fd = openSync(file, 'a');
    this.line(JSON.stringify({ node, clock, inc: this.incarnation }));
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    process.once('exit', this.onExit);
  }

  /** The trace `plan` asks for: a file in its log area, or none when the plan names no log area. */
  static forPlan(plan: NodePlan): MessageTrace | undefined {
    if (plan.logDir === undefined) return undefined;
    mkdirSync(plan.logDir, { recursive: true });
    return new MessageTrace(plan.id, traceFile(plan.logDir, plan.id));
  }

  /** A fresh id for a message this node sends. */
  nextId(): string {
    return `${this.incarnation}.${++this.seq}`;
  }

  sent(peer: string, id: string, msg: Readonly<Record<string, unknown>>): void {
    this.event('s', peer, id, msg);
  }

  received(peer: string, id: string, msg: Readonly<Record<string, unknown>>): void {
    this.event('r', peer, id, msg);
  }

  dropped(peer: string, id: string, msg: Readonly<Record<string, unknown>>): void {
    this.event('d', peer, id, msg);
  }

  /** Write what is buffered, synchronously, and close the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    const rest = this.buffer.join('');
    this.buffer = [];
    try {
      if (rest) writeSync(this.fd, rest);
    } finally {
      closeSync(this.fd);
    }
  }

  private event(e: 's' | 'r' | 'd', peer: string, id: string, msg: Readonly<Record<string, unknown>>): void {
    if (this.full || this.closed) return;
    const t = Number(process.hrtime.bigint() - this.startNs);
    const m = typeof msg.type === 'string' ? msg.type : '';
    this.line(JSON.stringify({ t, e, p: peer, id, m, x: messageSummary(msg) }));
  }

  private line(text: string): void {
    const bytes = text.length + 1;
    if (this.written + this.buffered + bytes > this.maxBytes) {
      this.full = true;
      this.buffer.push(`${JSON.stringify({ t: Number(process.hrtime.bigint() - this.startNs), e: 'cap', x: `trace stopped at ${this.maxBytes} bytes` })}\n`);
      this.flush();
      return;
    }
    this.buffer.push(`${text}\n`);
    this.buffered += bytes;
    if (this.buffered >= FLUSH_BYTES) this.flush();
  }

  /**
   * Append the buffer. Synchronously: a few dozen kilobytes into the page cache every
   * {@link FLUSH_MS} ms costs microseconds, keeps lines in order, and leaves nothing in flight
   * when the process exits.
   */
  private flush(): void {
    if (this.closed || this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.written += this.buffered;
    this.buffered = 0;
    try {
      writeSync(this.fd, chunk);
    } catch {
      this.full = true; // A full or vanished disk ends the trace, never the node.
    }
  }
}
