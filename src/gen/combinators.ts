/**
 * The generator combinators workloads are built from (Jepsen's jepsen.generator, typed): each a
 * small immutable class whose methods return new values, so one generator can start every
 * thread and none of them can disturb another. See src/api/generator.ts for the protocol.
 */
import type { Invocation } from '../api/client.js';
import type { GenContext, GenEvent, GenStep, Generator } from '../api/generator.js';

/** The generator with nothing to do. */
export const nothing: Generator = {
  op: () => null,
  update() {
    return nothing;
  },
};

class Repeat implements Generator {
  constructor(private readonly make: (ctx: GenContext) => Invocation) {}
  op(ctx: GenContext): GenStep {
    return { op: this.make(ctx), gen: this };
  }
  update(): Generator {
    return this;
  }
}

/** An operation from `make` every time it is asked, forever (Jepsen: a function is a generator). */
export function repeat(make: (ctx: GenContext) => Invocation): Generator {
  return new Repeat(make);
}

/** One operation, then nothing (Jepsen: a map is a generator of one operation). */
export function once(op: Invocation | ((ctx: GenContext) => Invocation)): Generator {
  return limit(1, repeat(typeof op === 'function' ? op : () => op));
}

class Limit implements Generator {
  constructor(
    private readonly left: number,
    private readonly gen: Generator,
  ) {}
  op(ctx: GenContext): GenStep {
    if (this.left <= 0) return null;
    const step = this.gen.op(ctx);
    if (!step) return null;
    return 'op' in step ? { op: step.op, gen: new Limit(this.left - 1, step.gen) } : { ...step, gen: new Limit(this.left, step.gen) };
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    return new Limit(this.left, this.gen.update(ctx, event));
  }
}

/** At most `n` operations of `gen` (per thread). */
export function limit(n: number, gen: Generator): Generator {
  return new Limit(n, gen);
}

class TimeLimit implements Generator {
  constructor(
    private readonly ms: number,
    private readonly gen: Generator,
    private readonly deadline?: number,
  ) {}
  op(ctx: GenContext): GenStep {
    const deadline = this.deadline ?? ctx.time + this.ms;
    if (ctx.time >= deadline) return null;
    const step = this.gen.op(ctx);
    if (!step) return null;
    const gen = new TimeLimit(this.ms, step.gen, deadline);
    return 'op' in step ? { op: step.op, gen } : { waitUntil: Math.min(step.waitUntil, deadline), gen };
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    return new TimeLimit(this.ms, this.gen.update(ctx, event), this.deadline);
  }
}

/** Operations of `gen` for `ms` milliseconds from the first time it is asked (Jepsen's time-limit). */
export function timeLimit(ms: number, gen: Generator): Generator {
  return new TimeLimit(ms, gen);
}

class Sleep implements Generator {
  constructor(
    private readonly ms: number,
    private readonly until?: number,
  ) {}
  op(ctx: GenContext): GenStep {
    const until = this.until ?? ctx.time + this.ms;
    return ctx.time >= until ? null : { waitUntil: until, gen: new Sleep(this.ms, until) };
  }
  update(): Generator {
    return this;
  }
}

/** No operation for `ms` milliseconds from the first time it is asked, then nothing (Jepsen's sleep); in a `seq`, a pause. */
export function sleep(ms: number): Generator {
  return new Sleep(ms);
}

class Seq implements Generator {
  constructor(private readonly gens: readonly Generator[]) {}
  op(ctx: GenContext): GenStep {
    for (let i = 0; i < this.gens.length; i++) {
      const step = (this.gens[i] as Generator).op(ctx);
      if (step) return { ...step, gen: new Seq([step.gen, ...this.gens.slice(i + 1)]) };
    }
    return null;
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    const [head, ...rest] = this.gens;
    return head ? new Seq([head.update(ctx, event), ...rest]) : this;
  }
}

/** Each generator until it is exhausted, then the next (Jepsen: a vector is a generator). */
export function seq(...gens: Generator[]): Generator {
  return new Seq(gens);
}

class Mix implements Generator {
  constructor(
    private readonly gens: readonly Generator[],
    private readonly weights: readonly number[],
    private readonly total = weights.reduce((sum, w) => sum + w, 0),
    /** The generator that produced the last operation: its completion goes there. */
    private readonly last = -1,
  ) {}
  op(ctx: GenContext): GenStep {
    if (this.gens.length === 0 || !(this.total > 0)) return null;
    let roll = ctx.rng.float() * this.total;
    let i = 0;
    while (i < this.gens.length - 1 && roll >= (this.weights[i] as number)) roll -= this.weights[i++] as number;
    const chosen = this.gens[i] as Generator;
    const step = chosen.op(ctx);
    if (step === null) {
      // An exhausted generator leaves the mix (Jepsen's mix), and the rest is asked.
      const keep = (_: unknown, j: number): boolean => j !== i;
      return new Mix(this.gens.filter(keep), this.weights.filter(keep)).op(ctx);
    }
    const last = 'op' in step ? i : this.last;
    // A generator that stays itself (repeat) leaves the mix as it was: no copy per operation.
    const gen = step.gen === chosen && last === this.last ? this : new Mix(this.gens.map((g, j) => (j === i ? step.gen : g)), this.weights, this.total, last);
    return { ...step, gen };
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    if (this.last < 0) return this;
    const target = this.gens[this.last] as Generator;
    const updated = target.update(ctx, event);
    return updated === target ? this : new Mix(this.gens.map((g, j) => (j === this.last ? updated : g)), this.weights, this.total, this.last);
  }
}

/**
 * Each operation from one of `gens`, chosen at random by weight (Jepsen's mix); `weights`
 * default to equal. An exhausted generator leaves the mix.
 */
export function mix(gens: readonly Generator[], weights: readonly number[] = gens.map(() => 1)): Generator {
  if (weights.length !== gens.length) throw new Error(`mix: ${gens.length} generators but ${weights.length} weights`);
  return new Mix(gens, weights);
}

class UntilOk implements Generator {
  constructor(private readonly gen: Generator) {}
  op(ctx: GenContext): GenStep {
    const step = this.gen.op(ctx);
    return step && { ...step, gen: new UntilOk(step.gen) };
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    return event.type === 'ok' ? nothing : new UntilOk(this.gen.update(ctx, event));
  }
}

/** Operations of `gen` until one of them completes `ok` (Jepsen's until-ok), e.g. a final read. */
export function untilOk(gen: Generator): Generator {
  return new UntilOk(gen);
}

class FromContext implements Generator {
  constructor(private readonly make: (ctx: GenContext) => Generator) {}
  op(ctx: GenContext): GenStep {
    return this.make(ctx).op(ctx);
  }
  update(ctx: GenContext, event: GenEvent): Generator {
    return this.make(ctx).update(ctx, event);
  }
}

/**
 * The generator `make` builds from the context of the first call, from then on that generator
 * itself: per-thread roles (`reserve`), keys chosen when a phase starts, and so on.
 */
export function fromContext(make: (ctx: GenContext) => Generator): Generator {
  return new FromContext(make);
}

/**
 * The first `count` threads run `reserved`, the others `rest` (Jepsen's reserve): e.g. threads
 * that only read beside threads that write. `count` may depend on the number of threads.
 */
export function reserve(count: number | ((threads: number) => number), reserved: Generator, rest: Generator): Generator {
  return fromContext((ctx) => (ctx.thread < (typeof count === 'number' ? count : count(ctx.threads)) ? reserved : rest));
}
