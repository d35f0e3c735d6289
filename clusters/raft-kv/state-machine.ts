/**
 * The replicated key-value state machine: string keys holding JSON numbers or strings.
 * Deterministic: every replica applying the same committed commands reaches the same state.
 */
import type { Command, Value } from './log.js';

export type ApplyResult =
  | { ok: true; value: Value }
  | { ok: false; error: 'precondition-failed'; current: Value };

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
        if (!sameValue(current, cmd.expected)) {
          return { ok: false, error: 'precondition-failed', current };
        }
        this.data.set(cmd.key, cmd.value);
        return { ok: true, value: cmd.value };
      }
    }
  }
}

export function sameValue(a: Value, b: Value): boolean {
  return a === b;
}

/** Is `v` a value the register accepts (a finite number or a string)? */
export function isValue(v: unknown): v is Value {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}
