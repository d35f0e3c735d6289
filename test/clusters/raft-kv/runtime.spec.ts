/** The shared node runtime (src/node/*) as raft-kv uses it: storage, transport, plan, logger. */
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftDisk, replay } from '../../../clusters/raft-kv/persist.js';
import { createLogger } from '../../../src/node/logger.js';
import { parsePlanArgs, PlanError } from '../../../src/node/plan.js';
import { encodeRecord, readJsonFile, RecordLog, writeFileAtomic } from '../../../src/node/storage.js';
import { LineSplitter, Transport, type Envelope } from '../../../src/node/transport.js';
import { allocatePort } from '../../../src/hosts/local/ports.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-runtime-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const buf = (s: string) => Buffer.from(s);

describe('storage', () => {
  it('appends records durably and reads them back', async () => {
    const path = join(dir, 'log.bin');
    const { log, records } = await RecordLog.open(path);
    expect(records).toEqual([]);
    await log.append([buf('one'), buf('two')]);
    await log.append([buf('three')]);
    await log.close();
    const again = await RecordLog.open(path);
    expect(again.records.map(String)).toEqual(['one', 'two', 'three']);
    expect(again.discardedBytes).toBe(0);
    await again.log.close();
  });

  it('recovers from a torn last record and keeps appending after it', async () => {
    const path = join(dir, 'log.bin');
    const { log } = await RecordLog.open(path);
    await log.append([buf('a'), buf('b')]);
    await log.close();
    const whole = encodeRecord(buf('a torn record'));
    await appendFile(path, whole.subarray(0, whole.length - 4));
    const torn = await RecordLog.open(path);
    expect(torn.records.map(String)).toEqual(['a', 'b']);
    expect(torn.discardedBytes).toBe(whole.length - 4);
    await torn.log.append([buf('c')]);
    await torn.log.close();
    const after = await RecordLog.open(path);
    expect(after.records.map(String)).toEqual(['a', 'b', 'c']);
    await after.log.close();
  });

  it('drops a last record whose checksum does not match', async () => {
    const path = join(dir, 'log.bin');
    const good = encodeRecord(buf('good'));
    const bad = encodeRecord(buf('bad!'));
    bad[bad.length - 1]! ^= 0xff;
    await writeFile(path, Buffer.concat([good, bad]));
    const { log, records, discardedBytes } = await RecordLog.open(path);
    expect(records.map(String)).toEqual(['good']);
    expect(discardedBytes).toBe(bad.length);
    expect((await stat(path)).size).toBe(good.length);
    await log.close();
  });

  it('group-commits concurrent appends into few fsyncs', async () => {
    const { log } = await RecordLog.open(join(dir, 'log.bin'));
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append([buf(`r${i}`)])));
    expect(log.syncCount()).toBeLessThan(20);
    await log.close();
    const { records, log: l2 } = await RecordLog.open(join(dir, 'log.bin'));
    expect(records).toHaveLength(200);
    await l2.close();
  });

  it('writes small files atomically', async () => {
    const path = join(dir, 'meta.json');
    expect(await readJsonFile(path)).toBeUndefined();
    await writeFileAtomic(path, JSON.stringify({ term: 3 }));
    await writeFileAtomic(path, JSON.stringify({ term: 4 }));
    expect(await readJsonFile(path)).toEqual({ term: 4 });
    expect(await readFile(path, 'utf8')).toBe('{"term":4}');
  });

  it('raft-kv disk: replays entries, overwrites and cuts', async () => {
    const { disk, persisted } = await RaftDisk.open(dir);
    expect(persisted).toEqual({ entries: [] });
    const noop = { op: 'noop' as const };
    const w = (v: number) => ({ op: 'write' as const, key: 'k', value: v });
    await disk.save({ hardState: { term: 1, votedFor: 'n1' }, log: { from: 1, entries: [{ term: 1, cmd: noop }, { term: 1, cmd: w(1) }, { term: 1, cmd: w(2) }] } });
    await disk.save({ hardState: { term: 2, votedFor: null }, log: { from: 3, entries: [{ term: 2, cmd: w(3) }] } });
    await disk.close();
    const again = await RaftDisk.open(dir);
    expect(again.persisted.hardState).toEqual({ term: 2, votedFor: null });
    expect(again.persisted.entries.map((e) => e.term)).toEqual([1, 1, 2]);
    await again.disk.save({ log: { from: 2, entries: [] } });
    await again.disk.close();
    const last = await RaftDisk.open(dir);
    expect(last.persisted.entries).toEqual([{ term: 1, cmd: noop }]);
    await last.disk.close();
    expect(replay([buf('{"i":2,"t":1,"c":{"op":"noop"}}')])).toEqual([]);
  });
});

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('transport', () => {
  const open: Transport[] = [];
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
    for (const s of servers.splice(0)) s.close();
  });

  async function node(self: string, listen: number, peers: Record<string, number>, got: Envelope[], extra = {}) {
    const t = await Transport.start({
      self,
      listen: `127.0.0.1:${listen}`,
      peers: Object.fromEntries(Object.entries(peers).map(([k, p]) => [k, `127.0.0.1:${p}`])),
      onMessage: (m) => got.push(m),
      ...extra,
    });
    open.push(t);
    return t;
  }

  it('delivers messages with their sender, and replies travel on the replier\'s own link', async () => {
    const [pa, pb] = [await allocatePort(), await allocatePort()];
    const atA: Envelope[] = [];
    const atB: Envelope[] = [];
    const a = await node('a', pa, { b: pb }, atA);
    const b = await node('b', pb, { a: pa }, atB);
    a.send('b', { type: 'ping', n: 1 });
    await until(() => atB.length === 1);
    expect(atB[0]).toEqual({ type: 'ping', n: 1, from: 'a' });
    b.send('a', { type: 'pong', n: 1 });
    await until(() => atA.length === 1);
    expect(atA[0]).toEqual({ type: 'pong', n: 1, from: 'b' });
  });

  it('never writes on an inbound connection', async () => {
    const pa = await allocatePort();
    const got: Envelope[] = [];
    await node('a', pa, { b: await allocatePort() }, got);
    const raw = net.connect(pa, '127.0.0.1');
    let received = 0;
    raw.on('data', (d) => (received += d.length));
    await new Promise((r) => raw.once('connect', r));
    raw.write(JSON.stringify({ from: 'b', type: 'hello' }) + '\nnot json\n' + JSON.stringify({ no: 'from' }) + '\n');
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(0);
    expect(got).toEqual([{ from: 'b', type: 'hello' }]);
    raw.destroy();
  });

  it('queues a bounded number of messages while a peer is down, then reconnects', async () => {
    const [pa, pb] = [await allocatePort(), await allocatePort()];
    const a = await node('a', pa, { b: pb }, [], { maxQueue: 50 });
    for (let i = 0; i < 500; i++) a.send('b', { n: i });
    expect(a.stats().b!.queued).toBe(50);
    expect(a.stats().b!.dropped).toBe(450);
    const atB: Envelope[] = [];
    await node('b', pb, { a: pa }, atB);
    await until(() => atB.length === 50);
    expect(atB[0]!.n).toBe(450);
    a.send('b', { n: 'live' });
    await until(() => atB.length === 51);
  });

  it('cuts a link that accepts bytes but never drains them, instead of buffering forever', async () => {
    const [pa, pb] = [await allocatePort(), await allocatePort()];
    const hole = net.createServer((s) => s.pause());
    servers.push(hole);
    await new Promise<void>((r) => hole.listen(pb, '127.0.0.1', r));
    const a = await node('a', pa, { b: pb }, [], { maxBufferedBytes: 256 * 1024 });
    await until(() => a.stats().b!.connected);
    const big = 'x'.repeat(64 * 1024);
    let maxBuffered = 0;
    for (let i = 0; i < 400; i++) {
      a.send('b', { big });
      maxBuffered = Math.max(maxBuffered, a.stats().b!.buffered);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * big.length);
    expect(a.stats().b!.dropped).toBeGreaterThan(0);
  });

  it('splits lines across chunks', () => {
    const s = new LineSplitter(10);
    expect(s.push(buf('ab'))).toEqual([]);
    expect(s.push(buf('c\nde\nf'))).toEqual(['abc', 'de']);
    expect(s.push(buf('\n'))).toEqual(['f']);
    expect(() => s.push(buf('01234567890'))).toThrow(/longer/);
  });
});

describe('plan and logger', () => {
  const plan = {
    id: 'n1',
    index: 0,
    nodes: ['n1', 'n2'],
    dataDir: '/tmp/x',
    peerListen: '127.0.0.1:1',
    clientListen: '127.0.0.1:2',
    peers: { n2: '127.0.0.1:3' },
    clockFile: '/tmp/x.clock',
    bugs: [],
    options: { 'read-mode': 'lease' },
  };

  it('parses --plan and explains what is wrong', () => {
    expect(parsePlanArgs(['--plan', JSON.stringify(plan)])).toEqual(plan);
    expect(parsePlanArgs([`--plan=${JSON.stringify(plan)}`]).id).toBe('n1');
    expect(() => parsePlanArgs([])).toThrow(PlanError);
    expect(() => parsePlanArgs(['--plan', '{'])).toThrow(/not valid JSON/);
    expect(() => parsePlanArgs(['--plan', JSON.stringify({ ...plan, peers: {} })])).toThrow(/plan.peers lacks node "n2"/);
    expect(() => parsePlanArgs(['--plan', JSON.stringify({ ...plan, clientListen: 'nope' })])).toThrow(/clientListen/);
  });

  it('writes one timestamped line per event', () => {
    const lines: string[] = [];
    const log = createLogger({ node: 'n1', write: (l) => lines.push(l) });
    log.info('became leader', { term: 3, note: 'two words' });
    log.debug('hidden');
    for (let i = 0; i < 5; i++) log.every('k', 60_000, 'warn', 'rate limited');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z n1 INFO became leader term=3 note="two words"\n$/);
    expect(lines[1]).toMatch(/ n1 WARN rate limited\n$/);
  });
});
