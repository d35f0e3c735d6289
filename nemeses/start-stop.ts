/**
 * The shape every fault nemesis shares: a `start-<name>` operation that makes a fault, a
 * `stop-<name>` operation that undoes it, and a heal that undoes everything. Nemeses supply the
 * three actions; this routes operations to them and refuses any other `f`.
 */
import type { Nemesis, NemesisContext, NemesisDef } from '../src/api/nemesis.js';

export interface StartStopActions {
  start(value: unknown, ctx: NemesisContext): Promise<unknown>;
  stop(ctx: NemesisContext): Promise<unknown>;
  /** Undo every fault in force; `stop` when omitted. */
  heal?(ctx: NemesisContext): Promise<unknown>;
}

/** A nemesis handling `start-<name>` and `stop-<name>`. */
export function startStopNemesis(name: string, actions: StartStopActions): Nemesis {
  const startF = `start-${name}`;
  const stopF = `stop-${name}`;
  return {
    fs: [startF, stopF],
    async invoke(op, ctx) {
      if (op.f === startF) return actions.start(op.value, ctx);
      if (op.f === stopF) return actions.stop(ctx);
      throw new Error(`${name} nemesis cannot ${op.f}`);
    },
    async heal(ctx) {
      await (actions.heal ?? actions.stop)(ctx);
    },
  };
}

/** `NemesisDef.validate` of a start/stop nemesis: `start-<name>`'s value must pass `parse` (which throws if not). */
export function validateStart(name: string, parse: (value: unknown, nodes: readonly string[]) => unknown): NonNullable<NemesisDef['validate']> {
  return (op, nodes) => {
    if (op.f === `start-${name}`) parse(op.value, nodes);
  };
}
