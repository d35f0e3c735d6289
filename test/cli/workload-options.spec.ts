// Workload options (WorkloadDef.options): validated before the run with one line, every
// declared option stored with its default filled in.
import { describe, expect, it } from 'vitest';
import type { WorkloadDef } from '../../src/api/workload.js';
import { resolveWorkloadOptions } from '../../src/runner/workload-options.js';
import { UserError } from '../../src/user-error.js';

const fixture: WorkloadDef = {
  name: 'fixture',
  description: 'a workload with one option of each kind',
  options: {
    share: { describe: 'a fraction', default: 0.5, min: 0, max: 1 },
    accounts: { describe: 'a count', default: 5, min: 1, integer: true },
    mode: { describe: 'a choice', default: 'fast', choices: ['fast', 'slow'] },
  },
  build: () => {
    throw new Error('not built here');
  },
};

describe('workload options', () => {
  it('fill in defaults and parse values by the declared type', () => {
    expect(resolveWorkloadOptions(fixture)).toEqual({ share: 0.5, accounts: 5, mode: 'fast' });
    expect(resolveWorkloadOptions(fixture, { share: '0.25', accounts: '7', mode: 'slow' })).toEqual({ share: 0.25, accounts: 7, mode: 'slow' });
    expect(resolveWorkloadOptions(fixture, { share: 1 })).toMatchObject({ share: 1 });
  });

  it.each([
    [{ share: '2' }, /fixture option --share must be at most 1, not 2/],
    [{ share: 'half' }, /fixture option --share must be a number, not 'half'/],
    [{ share: '' }, /must be a number/],
    [{ accounts: '2.5' }, /--accounts must be a whole number/],
    [{ accounts: '0' }, /--accounts must be at least 1, not 0/],
    [{ mode: 'medium' }, /--mode must be one of fast, slow, not 'medium'/],
    [{ shares: '0.2' }, /workload fixture has no option 'shares' \(did you mean 'share'\?\)/],
  ])('refuse %j before the run with one line', (given, message) => {
    expect(() => resolveWorkloadOptions(fixture, given)).toThrow(UserError);
    expect(() => resolveWorkloadOptions(fixture, given)).toThrow(message);
  });
});
