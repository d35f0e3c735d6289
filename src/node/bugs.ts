/**
 * The known bugs switched on in a bundled node (`--bug NAME`, in its plan): each system declares
 * its bugs by name (src/api/cluster.ts `KnownBug`), and asks `has(name)` where a bug changes what it does.
 */
export class BugSet<Name extends string> {
  private readonly on: ReadonlySet<Name>;

  /** Unknown names are an error naming the known ones. */
  constructor(system: string, known: Readonly<Record<Name, unknown>>, names: readonly string[] = []) {
    for (const name of names) {
      if (!(name in known)) throw new Error(`unknown ${system} bug "${name}" (known: ${Object.keys(known).join(', ')})`);
    }
    this.on = new Set(names as Name[]);
  }

  has(name: Name): boolean {
    return this.on.has(name);
  }

  list(): Name[] {
    return [...this.on];
  }
}

/** The `bugSet(names)` a system's node builds its switched-on bugs with, from its declared table. */
export function bugSetFor<Name extends string>(system: string, known: Readonly<Record<Name, unknown>>): (names?: readonly string[]) => BugSet<Name> {
  return (names = []) => new BugSet(system, known, names);
}
