/**
 * A client performs workload operations against one node (Jepsen's Client protocol).
 *
 * Error contract, as Maelstrom's definite/indefinite table: return `ok` when the operation
 * happened, `fail` only when it surely did not (not leader, precondition failed, key absent on a
 * definite error), and throw for anything whose outcome is unknown (timeout, connection lost,
 * crashed node). The runner alone turns a throw into an `info` operation.
 */
import type { Completion } from './op.js';

export interface ClientContext {
  /** The node this client talks to. */
  node: string;
  /** The address to dial for that node (through the fault proxy on the embedded default). */
  address: string;
  /** Addresses of every node, for clients that follow redirects. */
  addresses: Readonly<Record<string, string>>;
  process: number;
  /** Per-operation timeout the runner enforces; clients may use it for their own deadlines. */
  timeoutMs: number;
  /** The system options given on the command line (`--etcd-serializable-reads` → `{ 'etcd-serializable-reads': 'true' }`). */
  options: Readonly<Record<string, string>>;
}

export interface Invocation {
  f: string;
  key?: string;
  value: unknown;
}

export interface Client {
  invoke(op: Invocation, signal: AbortSignal): Promise<Completion>;
  close(): Promise<void>;
}

export interface ClientFactory {
  open(ctx: ClientContext): Promise<Client>;
}
