/**
 * The replicated key-value state machine of bundled nodes: string keys holding JSON numbers or
 * strings. Deterministic: every replica applying the same commands in the same order reaches the
 * same state.
 */
import type { KvRequest, KvResult, Value } from './protocol.js';

/** A state machine command. `rid` ties a replicated command to the client request that proposed it. */
export type Command =
  | { op: 'noop' }
  | { op: 'write'; key: string; value: Value; rid?: string }
  | { op: 'cas'; key: string; expected: Value; value: Value; rid?: string }
  | { op: 'read'; key: string; rid?: string };

export type ApplyResult =
  | { ok: true; value: Value }
  | { ok: false; error: 'precondition-failed'; current: Value };

/** The command for a client request (`rid` when it is to be replicated). */
export function commandFor(req: KvRequest, rid?: string): Command {
  const tag = rid === undefined ? {} : { rid };
  switch (req.f) {
    case 'read':
      return { op: 'read', key: req.key, ...tag };
    case 'write':
      return { op: 'write', key: req.key, value: req.value, ...tag };
    case 'cas':
      return { op: 'cas', key: req.key, expected: req.value[0], value: req.value[1], ...tag };
  }
}

/** The reply to a client whose command was applied with `result`. */
export function resultReply(result: ApplyResult): KvResult {
  return result.ok ? { type: 'ok', value: result.value } : { type: 'fail', error: 'precondition-failed' };
}

export class KvStateMachine {
  private readonly data = new Map<string, Value>();

  /** The value of `key`, null when absent. */
  get(key: string): Value {
    return this.data.get(key) ?? null;
  }

  size(): number {
    return this.data.size;
  }

  apply(cmd: Command): ApplyResult {
    switch (cmd.op) {
      case 'noop':
        return { ok: true, value: null };
      case 'read':
        return { ok: true, value: this.get(cmd.key) };
      case 'write':
        this.data.set(cmd.key, cmd.value);
        return { ok: true, value: cmd.value };
      case 'cas': {
        const current = this.get(cmd.key);
        if (current !== cmd.expected) {
          return { ok: false, error: 'precondition-failed', current };
        }
        this.data.set(cmd.key, cmd.value);
        return { ok: true, value: cmd.value };
      }
    }
  }
}
