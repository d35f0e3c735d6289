/**
 * Jepsen logs are read whatever whitespace separates their fields, and every line that holds an
 * operation is either read or refused with its line number: never skipped in silence (a skipped
 * `:fail` or `:ok` flips a verdict). Lines of other log output are counted and shown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHistory, parseJepsenLog } from '../../src/history/formats/index.js';
import { formatError } from '../helpers/format-error.js';


/** One or more blanks of the kinds published logs use. */
const gap = fc.array(fc.constantFrom(' ', '\t'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));

const field = {
  process: fc.oneof(fc.nat({ max: 500 }).map(String), fc.constant(':nemesis')),
  type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
  f: fc.constantFrom('read', 'write', 'cas', 'start', 'txn'),
  value: fc.constantFrom<[string, unknown]>(['nil', null], ['3', 3], ['-7', -7], ['[4 0]', [4, 0]], ['[ 1   2 ]', [1, 2]], ['"a b"', 'a b'], ['[[:append 1 2] [:r 1 [1 2]]]', [['append', 1, 2], ['r', 1, [1, 2]]]], ['{:a 1}', { a: 1 }]),
  prefix: fc.constantFrom('', 'INFO jepsen.util - ', 'INFO  jepsen.util - ', '2020-05-04 13:21:16,529{GMT}\tINFO\t[jepsen worker 2] jepsen.util: '),
};

describe('jepsen-log: fields separated by any whitespace', () => {
  it("reads the README's own example line", () => {
    const { ops, warnings } = parseHistory('INFO jepsen.util - 3 :invoke :cas [4 0]\n', 'readme.log');
    expect(warnings).toEqual([]);
    expect(ops).toEqual([{ index: 0, time: 1, type: 'invoke', process: 3, f: 'cas', value: [4, 0] }]);
  });

  it('reads every line whatever the mix of tabs and spaces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ...field, gaps: fc.array(gap, { minLength: 4, maxLength: 4 }), trailing: fc.constantFrom('', ' ', '\t', ' \t ') }), { minLength: 1, maxLength: 12 }),
        (lines) => {
          const text = lines.map((l) => `${l.prefix}${l.process}${l.gaps[0]}:${l.type}${l.gaps[1]}:${l.f}${l.gaps[2]}${l.value[0]}${l.trailing}`).join('\n');
          const { ops, warnings } = parseJepsenLog(text, 'mixed.log');
          expect(warnings).toEqual([]);
          expect(ops.map((o) => [o.process, o.type, o.f, o.value])).toEqual(
            lines.map((l) => [l.process === ':nemesis' ? 'nemesis' : Number(l.process), l.type, l.f, l.value[1]]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a space-separated line inside a tab-separated log is read, so the verdict cannot flip', () => {
    const log = ['INFO  jepsen.util - 0\t:invoke\t:write\t1', 'INFO  jepsen.util - 0\t:ok\t:write\t1', 'INFO  jepsen.util - 1\t:invoke\t:read\tnil', 'INFO  jepsen.util - 1 :ok :read 2'].join('\n');
    const { ops, warnings } = parseJepsenLog(log, 'etcd.log');
    expect(warnings).toEqual([]);
    expect(ops.at(-1)).toMatchObject({ process: 1, type: 'ok', f: 'read', value: 2 });
  });

  it('reads the error field Jepsen prints after the value', () => {
    const { ops } = parseJepsenLog('3\t:fail\t:cas\t[4 0]\t:precondition-failed\n4 :info :write 2 connection reset by peer\n2 :info :write :timed-out\n', 'e.log');
    expect(ops.map((o) => [o.value, o.error])).toEqual([
      [[4, 0], 'precondition-failed'],
      [2, 'connection reset by peer'],
      [null, 'timed-out'],
    ]);
  });
});

describe('jepsen-log: a line that looks like an operation is read or refused', () => {
  const good = 'INFO  jepsen.util - 0\t:invoke\t:write\t1';
  /** Lines with a process and a type whose rest does not read. */
  const broken: [string, RegExp][] = [
    ['INFO  jepsen.util - 1\t:invoke', /no function after :invoke/],
    ['INFO  jepsen.util - 1 :ok :read', /no value after :read/],
    ['INFO  jepsen.util - 1 :ok :read [1 2', /cannot read the value/],
    ['INFO  jepsen.util - 1 :ok :read {:a}', /cannot read the value.*key without a value/],
    ['INFO  jepsen.util - 1 :ok :read 1x', /cannot read the value.*cannot read the number/],
    ['INFO  jepsen.util - 1 :ok [1] 2', /the function must be a keyword/],
    ['INFO  jepsen.util - 99999999999999999999 :ok :read 2', /process 99999999999999999999 is out of range/],
    ['7 :fail :cas "unterminated', /cannot read the value.*string/],
  ];

  it.each(broken)('%s in the middle is an error naming its line', (line, why) => {
    const e = formatError(() => parseJepsenLog([good, line, good].join('\n'), 'x.log'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^x\.log:2: /);
    expect(e.message).toMatch(why);
    expect(e.message).not.toContain('\n');
  });

  it.each(broken)('%s as the last line is a torn write, dropped with a warning', (line) => {
    const { ops, warnings } = parseJepsenLog([good, good, line].join('\n'), 'x.log');
    expect(ops).toHaveLength(2);
    expect(warnings).toEqual([expect.stringMatching(/^x\.log:3: ignored the torn last line/)]);
  });

  it('other lines are counted and the first is shown', () => {
    const log = ['starting the test', good, 'INFO jepsen.core - 3 things', '', 'WARN jepsen.generator - op {:type :invoke}', good].join('\n');
    const { ops, warnings } = parseJepsenLog(log, 'n.log');
    expect(ops).toHaveLength(2);
    expect(warnings).toEqual(['n.log: skipped 3 lines that are not operations (log output?), the first on line 1: "starting the test"']);
  });
});
