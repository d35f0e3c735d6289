/** What the runner tells the person watching: implemented by the console reporter, or silent in tests. */
import type { ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import type { Journal } from '../history/journal.js';
import type { RunResults } from '../results/schema.js';

export interface RunUi {
  header(spec: TestSpec, runDir: string, schedule: readonly ScheduleEntry[]): void;
  phase(text: string): void;
  warn(text: string): void;
  /** Details for --verbose only. */
  debug(err: unknown): void;
  startProgress(journal: Journal, totalS: number): void;
  stopProgress(): void;
  summary(results: RunResults, runDir: string): void;
}

/** A RunUi that says nothing (library use, tests). */
export const silentUi: RunUi = {
  header: () => undefined,
  phase: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  startProgress: () => undefined,
  stopProgress: () => undefined,
  summary: () => undefined,
};
