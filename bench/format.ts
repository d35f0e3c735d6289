/**
 * How `npm run bench` prints its figures: one JSON object per figure on stdout, for machines
 * and for comparing runs, and a table per suite on stderr, for people.
 *
 * Why both streams: stdout stays parseable (`npm run bench | jq`) while the progress lines and
 * tables a person watches go to stderr, so neither gets in the other's way.
 */

/** A plain value a figure may hold. */
export type FigureValue = number | string | boolean | null;

/** One measured figure: which suite, which case, and its numbers. */
export interface Figure {
  suite: string;
  name: string;
  [field: string]: FigureValue;
}

/** Collects figures, prints each as a JSON line at once, and the tables at the end. */
export class Reporter {
  private readonly figures: Figure[] = [];

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Record and print one figure; fields that are undefined are left out. */
  figure(suite: string, name: string, fields: Record<string, FigureValue | undefined>): Figure {
    const fig: Figure = { suite, name };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) fig[k] = v;
    this.figures.push(fig);
    this.out.write(`${JSON.stringify(fig)}\n`);
    this.err.write(`  ${suite} · ${name}\n`);
    return fig;
  }

  /** A line for the person watching (stderr only). */
  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  /** Every figure so far. */
  all(): readonly Figure[] {
    return this.figures;
  }

  /** Print one table per suite on stderr, columns in the order fields first appear. */
  printTables(): void {
    const suites = [...new Set(this.figures.map((f) => f.suite))];
    for (const suite of suites) {
      const rows = this.figures.filter((f) => f.suite === suite);
      this.err.write(`\n${suite}\n${renderTable(rows)}\n`);
    }
  }
}

/** An aligned text table of `rows` (their `name` first, `suite` left out). */
export function renderTable(rows: readonly Figure[]): string {
  const columns = ['name'];
  for (const r of rows) for (const k of Object.keys(r)) if (k !== 'suite' && !columns.includes(k)) columns.push(k);
  const cells = rows.map((r) => columns.map((c) => cellText(r[c])));
  const widths = columns.map((c, i) => cells.reduce((w, row) => Math.max(w, (row[i] as string).length), c.length));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function cellText(v: FigureValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(round(v, v >= 100 ? 0 : v >= 1 ? 1 : 3));
  return String(v);
}

/** A verdict as the shared histories' verdicts.tsv spells it. */
export function verdictName(valid: boolean | 'unknown'): 'linearizable' | 'not-linearizable' | 'unknown' {
  return valid === true ? 'linearizable' : valid === false ? 'not-linearizable' : 'unknown';
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Kibibytes (as `resourceUsage().maxRSS` gives them) in MiB, to one decimal. */
export function kibToMib(kib: number): number {
  return round(kib / 1024, 1);
}
