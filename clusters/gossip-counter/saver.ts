/**
 * Durable saves of a node's state that coalesce: a save asked for while one is being written
 * waits for the next write, which takes the state as it is then, so a burst of changes costs
 * two writes, not one each.
 */
export class Saver {
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly write: () => Promise<void>) {}

  /** Resolves once a write begun after this call is on disk. */
  save(): Promise<void> {
    if (this.next) return this.next;
    if (!this.current) {
      this.current = this.write().finally(() => (this.current = undefined));
      return this.current;
    }
    this.next = this.current.then(() => {
      this.next = undefined;
      return this.save();
    });
    return this.next;
  }

  /** Resolves once every save asked for is done. */
  async idle(): Promise<void> {
    while (this.current || this.next) await (this.next ?? this.current)?.catch(() => undefined);
  }
}
