/**
 * A sequential model of the system's data type, as Porcupine's Model: pure functions only.
 * The linearizability checker searches for an order of operations that this model accepts.
 */

export interface Model<S> {
  readonly name: string;
  init(): S;
  /**
   * Apply one operation to a state. `input` is the invocation's value, `output` the completion's
   * (undefined for an operation whose outcome is unknown). Returns the next state, or
   * `undefined` when the model forbids that output in that state.
   */
  step(state: S, f: string, input: unknown, output: unknown): S | undefined;
  /** A stable key for a state, for memoisation; equal states give equal keys. */
  hash(state: S): string;
  /** Human-readable state, for explanations. */
  describe(state: S): string;
}
