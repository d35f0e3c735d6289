/** What finishRun needs for a run directory holding a history, for tests; override what matters. */
import { join } from 'node:path';
import type { Checker } from '../../src/api/checker.js';
import type { finishRun } from '../../src/runner/finish-run.js';
import { silentUi } from '../../src/runner/ui.js';
import { testSpec } from './spec.js';

export type FinishInput = Parameters<typeof finishRun>[0];

export function finishInput(dir: string, checker: Checker, overrides: Partial<FinishInput> = {}): FinishInput {
  return {
    dirs: { root: dir, history: join(dir, 'history.jsonl'), results: join(dir, 'results.json'), report: join(dir, 'report.html'), junit: join(dir, 'junit.xml') },
    spec: testSpec(),
    command: 'faultline test',
    checkers: { [checker.name]: checker },
    startedAt: new Date(0),
    durationS: 1,
    net: 'proxy',
    schedule: [],
    warnings: [],
    interrupted: false,
    ui: silentUi,
    ...overrides,
  };
}
