/**
 * EDN histories as Jepsen, Knossos and Porcupine really write them: one vector or list over many
 * lines, maps over several lines, comments, keywords, sets, nested vectors, tagged records, and
 * list-append values that must reach the checker intact. Everything is read through edn-data; what
 * edn-data would misread is refused with its line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdnHistory, parseHistory } from '../../src/history/formats/index.js';
import { formatError } from '../helpers/format-error.js';


/** The fields a test compares (index and time are the reader's own unless recorded). */
const core = (ops: { type: string; process: unknown; f: string; value: unknown }[]): unknown[] => ops.map(({ type, process, f, value }) => ({ type, process, f, value }));

describe('edn: the shapes real histories come in', () => {
  it('a Knossos vector over many lines', () => {
    const text = ['[{:process 70, :type :invoke, :f :read, :value nil}', ' {:process 75, :type :invoke, :f :cas, :value [2 1]}', ' {:process 70, :type :ok, :f :read, :value 3}', ' {:process 75, :type :fail, :f :cas, :value [2 1]}]', ''].join('\n');
    const { ops, warnings, format } = parseHistory(text, 'cas-failure.edn');
    expect(format).toBe('edn');
    expect(warnings).toEqual([]);
    expect(core(ops)).toEqual([
      { type: 'invoke', process: 70, f: 'read', value: null },
      { type: 'invoke', process: 75, f: 'cas', value: [2, 1] },
      { type: 'ok', process: 70, f: 'read', value: 3 },
      { type: 'fail', process: 75, f: 'cas', value: [2, 1] },
    ]);
    expect(ops.map((o) => o.time)).toEqual([1, 2, 3, 4]); // each op's line
  });

  it('a Knossos list with comments between the ops', () => {
    const text = '({:type :invoke, :f :write, :value 0, :process 0}\n {:type :ok, :f :write, :value 0, :process 0}\n ; the value is 0; then a write of 4 and a read of 3\n {:type :invoke, :f :read, :value nil, :process 1} ; trailing\n {:type :ok, :f :read, :value 3, :process 1}\n)\n';
    const { ops, warnings } = parseHistory(text, 'rethink.edn');
    expect(warnings).toEqual([]);
    expect(ops.map((o) => [o.process, o.type, o.value])).toEqual([
      [0, 'invoke', 0],
      [0, 'ok', 0],
      [1, 'invoke', null],
      [1, 'ok', 3],
    ]);
  });

  it("Jepsen 0.3 records, pretty-printed over several lines, keep their index and time", () => {
    const text = [
      '#jepsen.history.Op{:index 3820,',
      '                   :time 4650651388,',
      '                   :type :ok,',
      '                   :process 0,',
      '                   :f :poll,',
      '                   :value [[:poll {"56" [[4 5] [5 6]]}]]}',
      '#knossos.op.Op{:process :nemesis, :type :info, :f :start, :value nil, :index 3821, :time 4650651400}',
    ].join('\n');
    const { ops } = parseHistory(text, 'history.edn');
    expect(ops).toEqual([
      { index: 3820, time: 4650651388, type: 'ok', process: 0, f: 'poll', value: [['poll', { '56': [[4, 5], [5, 6]] }]] },
      { index: 3821, time: 4650651400, type: 'info', process: 'nemesis', f: 'start', value: null },
    ]);
  });

  it('list-append transactions keep their nested values', () => {
    const text = '{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :time 12, :process 0, :index 0}\n{:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [1 2]]], :time 20, :process 0, :index 1}\n';
    const { ops } = parseHistory(text);
    expect(ops.map((o) => o.value)).toEqual([
      [['append', 1, 2], ['r', 1, null]],
      [['append', 1, 2], ['r', 1, [1, 2]]],
    ]);
  });

  it('sets, lists, maps with other keys, strings, characters, #inst, #uuid, big integers, discarded forms', () => {
    const text = `{:process 1, :type :ok, :f :read,
  :value {:set #{1 2}, :list (3 4), 5 "five", [6] nil, :s "a \\"q\\" ; not a comment", :c \\x,
          :t #inst "2024-01-02T03:04:05.000-00:00", :u #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
          :big 123456789012345678901234, :bign 7N, :x 1.5 #_ :dropped #_ 99}
  :error [:timeout "slow"]}`;
    const { ops } = parseHistory(text);
    expect(ops[0]!.value).toEqual({
      set: [1, 2],
      list: [3, 4],
      '5': 'five',
      '[6]': null,
      s: 'a "q" ; not a comment',
      c: 'x',
      t: '2024-01-02T03:04:05.000Z',
      u: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      big: '123456789012345678901234',
      bign: 7,
      x: 1.5,
    });
    expect(ops[0]!.error).toBe('["timeout","slow"]');
  });

  it('a comment inside a map, glued to a symbol, does not join it to the next line', () => {
    const { ops } = parseHistory('{:process 1, :type :ok, :f :read, :value abc; note\n}\n');
    expect(ops[0]!.value).toBe('abc');
  });

  it('streams a vector on a single line', () => {
    const text = `[${Array.from({ length: 50 }, (_, i) => `{:process ${i}, :type :invoke, :f :write, :value ${i}}`).join(' ')}]`;
    expect(parseHistory(text).ops.map((o) => o.value)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('edn: torn and broken files', () => {
  it('a vector cut off mid-op keeps the ops before it, with one warning', () => {
    const { ops, warnings } = parseHistory('[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :re', 'cut.edn');
    expect(ops).toHaveLength(1);
    expect(warnings).toEqual(['cut.edn:2: ignored the torn last op (the text ends inside the map opened on line 2); the vector opened on line 1 is never closed (the file may have been cut short)']);
  });

  it('a vector never closed keeps every op, with one warning', () => {
    const { ops, warnings } = parseHistory('[{:process 0, :type :invoke, :f :read, :value nil}\n', 'open.edn');
    expect(ops).toHaveLength(1);
    expect(warnings).toEqual(['open.edn:1: the vector opened on line 1 is never closed (the file may have been cut short); read the ops before the end']);
  });

  const broken: [string, string, number, RegExp][] = [
    ['a mismatched bracket', '[{:process 0, :type :ok, :f :read, :value [1 2}}\n]', 1, /expected "\]" to close the vector opened on line 1, found "}"/],
    ['a map with a key and no value', '{:process 0, :type :ok, :f :read,\n :value}\n{:process 0, :type :ok, :f :read, :value 1}', 2, /key without a value/],
    ['a stray closer', '{:process 0, :type :ok, :f :read, :value 1}\n]\n{:process 0, :type :ok, :f :read, :value 1}', 2, /unexpected "\]"/],
    ['a character literal of a bracket', '{:process 0, :type :ok, :f :read,\n :value \\(}\n{:process 0, :type :ok, :f :read, :value 1}', 2, /character literal/],
    ['a number edn-data would read as a symbol', '{:process 0, :type :ok, :f :read, :value 007}\n{:process 0, :type :ok, :f :read, :value 1}', 1, /cannot read the number "007"/],
    ['a bad string escape', '{:process 0, :type :ok, :f :read, :value "\\q"}\n{:process 0, :type :ok, :f :read, :value 1}', 1, /cannot read the EDN/],
    ['an op that is not a map', '[{:process 0, :type :ok, :f :read, :value 1}\n [1 2]]', 2, /expected an op map/],
    ['a tag with nothing after it', '[#jepsen.history.Op]', 1, /a tag or #_ with no value/],
    ['nesting past the limit', `{:process 0, :type :ok, :f :read, :value ${'['.repeat(70)}${']'.repeat(70)}}`, 1, /nested deeper than 64/],
  ];
  it.each(broken)('%s is an error naming its line', (_, text, line, why) => {
    const e = formatError(() => parseEdnHistory(text, 'b.edn'));
    expect(e.line).toBe(line);
    expect(e.message).toMatch(why);
    expect(e.message).not.toContain('\n');
  });

  it('a map left open over several lines is an error naming where it opened, not a torn last op', () => {
    const text = '{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type\n{:process 0, :type :ok, :f :write, :value 1}\n';
    const e = formatError(() => parseHistory(text, 'm.edn'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/the text ends inside the map opened on line 2.*a bracket may be missing/);
  });

  it('a history cut anywhere reads as a prefix of itself with at most one warning', () => {
    const ops = Array.from({ length: 6 }, (_, i) => `{:process ${i % 2}, :type :${i % 2 ? 'ok' : 'invoke'}, :f :txn, :value [[:append 1 ${i}] [:r 1 [1 ${i}]]]}`);
    const text = `[${ops.join('\n ')}]\n`;
    const whole = parseHistory(text).ops;
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (cut) => {
        const read = parseHistory(text.slice(0, cut), 'cut.edn');
        expect(read.warnings.length).toBeLessThanOrEqual(1);
        expect(read.ops).toEqual(whole.slice(0, read.ops.length));
      }),
      { numRuns: 300 },
    );
  });
});
