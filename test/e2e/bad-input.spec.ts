/**
 * Bad input gets one line saying what is wrong and what to do, exit code 2, no stack trace,
 * and never a result that claims to be valid. A torn last line of a history is the one defect
 * that is not fatal: it is reported in one line and the rest is checked.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_MAIN, runCli, startCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `content` to a file in the test directory; returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const op = (i: number, type = i % 2 === 0 ? 'invoke' : 'ok'): string =>
  JSON.stringify({ index: i, time: i, type, process: 0, f: 'write', key: 'k', value: i });
const jsonl = [op(0), op(1), op(2), op(3)];
const edn = ['{:process 0, :type :invoke, :f :write, :value 1}', '{:process 0, :type :ok, :f :write, :value 1}'];
const jepsen = ['INFO  jepsen.util - 0\t:invoke\t:write\t1', 'INFO  jepsen.util - 0\t:ok\t:write\t1'];
const badUtf8 = Buffer.concat([Buffer.from(`${op(0)}\n{"index":1,"time":1,"type":"ok","process":0,"f":"write","value":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`"}\n${op(2)}\n`)]);
const schedule = (entries: unknown[], nemeses = ['partition']): string => JSON.stringify({ nemeses, entries });

const runDir = (name: string, testJson: string): string => {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'test.json'), testJson);
  writeFileSync(join(path, 'history.jsonl'), `${jsonl.join('\n')}\n`);
  return path;
};
const notADir = file('plain-file', 'a regular file\n');
const noTestJson = (): string => {
  const path = runDir('run0', '');
  rmSync(join(path, 'test.json'));
  return path;
};

/** [what, arguments, exit code, message on stderr]. `test` runs get `--results-dir <dir>`. */
type Case = [string, string[], number, RegExp];

const refusals: Case[] = [
  // names
  ['a mistyped cluster', ['test', '--cluster', 'raft-vk'], 2, /unknown cluster 'raft-vk': did you mean 'raft-kv'/],
  ['a mistyped workload', ['test', '--workload', 'regster'], 2, /unknown workload 'regster': did you mean 'register'/],
  ['a mistyped nemesis', ['test', '--nemesis', 'partition,partiton'], 2, /unknown nemesis 'partiton': did you mean 'partition'/],
  ['an unknown nemesis', ['test', '--nemesis', 'meteor'], 2, /unknown nemesis 'meteor'/],
  ['an unknown bug', ['test', '--bug', 'stale-reads'], 2, /no bug 'stale-reads' \(did you mean 'stale-read'\?\)/],
  ['a bug of another system', ['test', '--cluster', 'memory-kv', '--bug', 'stale-read'], 2, /memory-kv has no bug 'stale-read'/],
  ['an option of another system', ['test', '--cluster', 'memory-kv', '--read-mode', 'lease'], 2, /memory-kv has no option 'read-mode'/],
  ['a bad option value', ['test', '--read-mode', 'psychic'], 2, /option 'read-mode' must be one of/],
  ['a bad --net', ['test', '--net', 'carrier-pigeon'], 2, /Invalid values: Argument: net/],
  ['an unknown command', ['tset'], 2, /Unknown argument|Did you mean/i],
  // numbers
  ['a bad node count', ['test', '--nodes', '0'], 2, /--nodes must be a positive whole number/],
  ['a fractional key count', ['test', '--key-count', '1.5'], 2, /--key-count must be a positive whole number/],
  ['a seed that is not a number', ['test', '--seed', 'abc'], 2, /--seed must be a whole number/],
  ['a huge seed', ['test', '--seed', '1e20'], 2, /--seed must be a whole number from 0 to 2\^53/],
  ['a huge node count', ['test', '--nodes', '100000'], 2, /--nodes must be at most 100/],
  ['a huge concurrency', ['test', '--concurrency', '1e9'], 2, /--concurrency must be at most 10000/],
  ['a huge time limit', ['test', '--time-limit', '1e10'], 2, /--time-limit must be at most/],
  ['a huge op timeout', ['test', '--op-timeout', '1e12'], 2, /--op-timeout must be at most/],
  ['a negative recovery time', ['test', '--recovery-time', '-1'], 2, /--recovery-time must be zero or more, not '-1'/],
  ['a rate too low for a single operation', ['test', '--rate', '1e-9'], 2, /--rate 1e-9 would not issue a single operation in a 35 s run: give at least 0\.029 operations per second/],
  ['a checker timeout past a week', ['test', '--checker-timeout', '1e12'], 2, /--checker-timeout must be at most 604800/],
  // lists and names
  ['none with another nemesis', ['test', '--nemesis', 'none,partition'], 2, /--nemesis none means no faults; it cannot go with partition/],
  ['a nemesis named twice', ['test', '--nemesis', 'partition,kill,partition'], 2, /--nemesis names partition twice; give each once/],
  ['a nemesis list with an empty name', ['test', '--nemesis', 'partition,,kill'], 2, /--nemesis has an empty name/],
  ['an empty --nemesis', ['test', '--nemesis', ''], 2, /--nemesis has an empty name/],
  ['an empty --bug', ['test', '--bug', ''], 2, /--bug has an empty name/],
  ['a bug named twice', ['test', '--bug', 'stale-read', '--bug', 'stale-read'], 2, /--bug names stale-read twice/],
  ['a 300-character --name', ['test', '--name', 'x'.repeat(300)], 2, /--name is 300 characters long; give at most 200/],
  ['an empty --name', ['test', '--name', ''], 2, /--name is empty/],
  // contradictions
  ['an option given twice', ['test', '--nodes', '3', '--nodes', '5'], 2, /--nodes was given 2 times; give it once/],
  ['--schedule with --nemesis', ['test', '--schedule', file('ok-schedule.json', schedule([])), '--nemesis', 'kill'], 2, /--schedule names its own nemeses/],
  ['faults too dense for the time limit', ['test', '--time-limit', '600', '--nemesis-interval', '0.001'], 2, /would schedule about 600000 faults/],
  // schedule files
  ['a missing schedule file', ['test', '--schedule', join(dir, 'nope.json')], 2, /schedule file .*nope\.json: it cannot be read/],
  ['a schedule file that is a directory', ['test', '--schedule', dir], 2, /schedule file .*: it cannot be read/],
  ['a schedule file that is not JSON', ['test', '--schedule', file('s1.json', '{"nemeses": [')], 2, /it is not valid JSON/],
  ['a schedule file that is not UTF-8', ['test', '--schedule', file('s2.json', Buffer.from([0x7b, 0xff, 0x7d]))], 2, /it is not UTF-8 text/],
  ['a schedule file that is a list', ['test', '--schedule', file('s3.json', '[]')], 2, /expected a JSON object/],
  ['a schedule entry without a time', ['test', '--schedule', file('s4.json', schedule([{ f: 'start-partition' }]))], 2, /entry 0 needs "atMs"/],
  ['schedule entries out of order', ['test', '--schedule', file('s5.json', schedule([{ atMs: 900, f: 'stop-partition' }, { atMs: 100, f: 'stop-partition' }]))], 2, /entry 1 is earlier/],
  ['a schedule fault no nemesis performs', ['test', '--schedule', file('s6.json', schedule([{ atMs: 100, f: 'start-meteor' }]))], 2, /entry 0 \('start-meteor' at 0\.1 s\) is not a fault any of the nemeses partition performs/],
  ['a schedule entry naming a node that does not exist', ['test', '--schedule', file('s8.json', schedule([{ atMs: 100, f: 'stop-kill' }, { atMs: 200, f: 'start-kill', value: { target: 'one', nodes: ['n42'] } }], ['kill']))], 2, /entry 1 \('start-kill' at 0\.2 s\) cannot be played on 5 nodes: start-kill: no node named n42/],
  ['a partition of a node that does not exist', ['test', '--nodes', '3', '--schedule', file('s9.json', schedule([{ atMs: 100, f: 'start-partition', value: { shape: 'isolate-one', grudge: { n1: ['n2', 'n4'] } } }]))], 2, /entry 0 .*cannot be played on 3 nodes: start-partition: no node named "n4"/],
  ['a schedule entry of the wrong shape', ['test', '--schedule', file('s10.json', schedule([{ atMs: 100, f: 'start-partition', value: 'majority' }]))], 2, /entry 0 .*start-partition needs \{shape/],
  ['a clock skew of a node that does not exist', ['test', '--schedule', file('s11.json', schedule([{ atMs: 100, f: 'start-clock', value: { kind: 'skew', offsets: { n42: 500 } } }], ['clock']))], 2, /entry 0 .*start-clock needs/],
  ['a latency of a year', ['test', '--schedule', file('s12.json', schedule([{ atMs: 100, f: 'start-latency', value: { latencyMs: 3.15e10, jitterMs: 0 } }], ['latency']))], 2, /entry 0 .*start-latency needs/],
  ['a schedule past the time limit', ['test', '--time-limit', '5', '--schedule', file('s7.json', schedule([{ atMs: 9000, f: 'stop-partition' }]))], 2, /after the main phase ends/],
  // where results go
  ['a results directory under a regular file', ['test', '--results-dir', join(notADir, 'results')], 2, /cannot write results to .*plain-file\/results/],
  // histories
  ['a missing history', ['check', join(dir, 'nope.jsonl')], 2, /no such file or directory/],
  ['a malformed JSONL line', ['check', file('m1.jsonl', `${op(0)}\nthis is not json\n${op(2)}\n`)], 2, /m1\.jsonl:2: not JSON/],
  ['a JSONL line that is not an op', ['check', file('m2.jsonl', `${op(0)}\n{"index":1}\n${op(2)}\n`)], 2, /m2\.jsonl:2: "time" must be a number/],
  ['a torn JSONL line in the middle', ['check', file('m3.jsonl', `${op(0)}\n${op(1).slice(0, 25)}\n${op(2)}\n`)], 2, /m3\.jsonl:2: not JSON/],
  ['a malformed EDN line', ['check', file('m4.edn', `${edn[0]}\n{:process 0, :type\n${edn[1]}\n`)], 2, /m4\.edn:2: the text ends inside the map opened on line 2/],
  ['an EDN map that is not an op', ['check', file('m5.edn', `${edn[0]}\n{:process 0, :f :write}\n${edn[1]}\n`)], 2, /m5\.edn:2: :type must be/],
  ['a Jepsen log value that cannot be read', ['check', file('m6.log', `${jepsen[0]}\nINFO  jepsen.util - 0\t:ok\t:write\t[1 2\n${jepsen[1]}\n`)], 2, /m6\.log:2: cannot read the value/],
  ['a file of no known format', ['check', file('m7.txt', 'hello world\n')], 2, /m7\.txt:1: cannot tell the format/],
  ['a history that is not UTF-8', ['check', file('m8.jsonl', badUtf8)], 2, /m8\.jsonl:2: not valid UTF-8/],
  ['an empty history', ['check', file('m9.jsonl', '\n\n')], 2, /UNKNOWN.*no client operations: nothing was checked/],
  ['a history of nemesis operations only', ['check', file('m10.jsonl', `${JSON.stringify({ index: 0, time: 0, type: 'invoke', process: 'nemesis', f: 'heal', value: null })}\n`)], 2, /no client operations/],
  ['a history of operations the model does not know', ['check', file('u1.jsonl', `${[op(0), op(1)].map((l) => l.replaceAll('"write"', '"frob"')).join('\n')}\n`)], 2, /u1\.jsonl: op #0 \(process 0\): the cas-register model has no operation "frob"/],
  ['--model kv on a register history', ['check', file('u2.jsonl', `${jsonl.join('\n')}\n`), '--model', 'kv'], 2, /u2\.jsonl: op #0 .*the kv model has no operation "write" \(it knows get, put, append\); choose the model with --model/],
  ['completions with no invocations', ['check', file('u3.jsonl', `${[op(1, 'ok'), op(3, 'ok')].join('\n')}\n`)], 2, /u3\.jsonl: op #1 \(process 0\): a completion \(ok write\) with no invocation before it/],
  ['a cas whose value is not a pair', ['check', file('u4.edn', '{:process 0, :type :invoke, :f :cas, :value 3}\n{:process 0, :type :ok, :f :cas, :value 3}\n')], 2, /u4\.edn: op #0 \(process 0\): a cas takes \[expected, new\], not 3/],
  ['an unknown model', ['check', file('ok.jsonl', `${jsonl.join('\n')}\n`), '--model', 'cas-regster'], 2, /unknown model 'cas-regster': did you mean 'cas-register'/],
  ['a checker timeout of zero', ['check', join(dir, 'ok.jsonl'), '--checker-timeout', '0'], 2, /--checker-timeout must be a positive number/],
  ['a run directory without test.json', ['check', noTestJson()], 2, /is not a faultline run directory \(no test\.json\)/],
  ['a run whose test.json is not JSON', ['check', runDir('run1', '{"spec": ')], 2, /test\.json is not valid JSON/],
  ['a run whose test.json has no spec', ['check', runDir('run2', '{"spec": 3}')], 2, /test\.json has no "spec" object/],
  ['a run whose spec is out of shape', ['report', runDir('run3', '{"spec": {"cluster": "raft-kv", "workload": "register"}}')], 2, /does not describe a test faultline can run/],
  ['report on a file', ['report', notADir], 2, /is not a run directory/],
];

/** Torn last lines in every format: reported in one line, the rest checked (valid here). */
const torn: Case[] = [
  ['a torn last JSONL line', ['check', file('t1.jsonl', `${jsonl.join('\n')}\n${op(4).slice(0, 30)}`)], 0, /t1\.jsonl:5: ignored the torn last line/],
  ['a torn last EDN line', ['check', file('t2.edn', `${edn.join('\n')}\n{:process 1, :type :inv`)], 0, /t2\.edn:3: ignored the torn last op/],
  ['a torn last Jepsen log line', ['check', file('t3.log', `${jepsen.join('\n')}\nINFO  jepsen.util - 1\t:invoke\t:cas\t[1`)], 0, /t3\.log:3: ignored the torn last line/],
  ['a last line torn inside a UTF-8 character', ['check', file('t4.jsonl', Buffer.concat([Buffer.from(`${jsonl.join('\n')}\n{"index":4,"value":"`), Buffer.from([0xe2, 0x82])]))], 0, /t4\.jsonl:5: ignored the torn last line/],
];

/** A cluster that cannot start: through the CLI with fixture systems (test/fixtures/fixture-cli.ts). */
const startFailures: Case[] = [
  ['a node binary that exits at once', ['test', '--cluster', 'exits-at-once', '--nodes', '2'], 2, /did not start: node n\d exited \(exit code 3\): fixture node: giving up at once/],
  ['a node port in use', ['test', '--cluster', 'port-taken', '--nodes', '1'], 2, /did not start: node n1 exited \(exit code 1\): .*EADDRINUSE/],
];

function withResults(args: string[]): string[] {
  return args[0] === 'test' && !args.includes('--results-dir') ? [...args, '--results-dir', join(dir, 'results')] : args;
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/internal error/);
}

describe.concurrent('bad input', () => {
  it.each(refusals)('%s', async (_, args, code, message) => {
    const run = await runCli(withResults(args));
    const out = run.stderr + run.stdout;
    expect(run.code, out).toBe(code);
    expect(out).toMatch(message);
    expectNoStack(run.stderr);
    expect(out.trim().split('\n').length, out).toBeLessThanOrEqual(2);
  });

  it.each(torn)('%s', async (_, args, code, message) => {
    const run = await runCli(args);
    expect(run.code, run.stderr).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/linearizable: VALID/);
  });

  it.each(startFailures)('%s', async (_, args, code, message) => {
    const results = mkdtempSync(join(dir, 'start-'));
    const run = await runCli([...args, '--nemesis', 'none', '--time-limit', '5', '--results-dir', results], undefined, FIXTURE_MAIN);
    expect(run.code, run.stderr).toBe(code);
    const errorLines = run.stderr.split('\n').filter((l) => l.startsWith('harness error:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
    expectNoStack(run.stderr);
    const [runName] = readdirSync(results).filter((n) => n !== 'latest');
    const saved = JSON.parse(readFileSync(join(results, runName!, 'results.json'), 'utf8'));
    expect(saved.valid).toBe('unknown');
    expect(saved.checkers.linearizable.valid).toBe('unknown');
    // Failed at once, not after the 30 s readiness timeout: timed by the run itself, from its
    // start to its results, so loading the CLI on a busy machine does not count.
    expect(saved.durationS).toBeLessThan(15);
  });
});

describe.concurrent('results directories that cannot be made', () => {
  // Node's recursive mkdir loops for ever on these (the parent exists, the child never can).
  it.each(['/proc/x', '/proc/self/x/y', '/sys/faultline-x', '/proc/1/fd/x'])('--results-dir %s is refused at once', async (path) => {
    const { child, done } = startCli(['test', '--cluster', 'memory-kv', '--nemesis', 'none', '--results-dir', path]);
    const stuck = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const run = await done;
    clearTimeout(stuck);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`cannot write results to ${path}`));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expectNoStack(run.stderr);
  });
});

describe('huge values', () => {
  it('a history holding a 16 MB value is read and checked, not refused', async () => {
    const huge = 'x'.repeat(16 * 1024 * 1024);
    const lines = [op(0), JSON.stringify({ index: 1, time: 1, type: 'ok', process: 0, f: 'write', key: 'k', value: huge })];
    lines.push(JSON.stringify({ index: 2, time: 2, type: 'invoke', process: 1, f: 'read', key: 'k', value: null }));
    lines.push(JSON.stringify({ index: 3, time: 3, type: 'ok', process: 1, f: 'read', key: 'k', value: 0 }));
    const run = await runCli(['check', file('huge.jsonl', `${lines.join('\n')}\n`)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/linearizable: VALID/);
  });
});

describe('after all of that', () => {
  it('no results.json anywhere claims a valid run', () => {
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(d, entry.name));
        else if (entry.name === 'results.json') found.push(join(d, entry.name));
      }
    };
    walk(dir);
    for (const path of found) expect(JSON.parse(readFileSync(path, 'utf8')).valid, path).not.toBe(true);
  });
});
