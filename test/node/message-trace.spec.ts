/**
 * Message traces of bundled nodes: every message sent through the shared transport, received,
 * or dropped by the sender's full queue is recorded under one id at both ends, read back by the
 * report on the history's time axis; the trace file is capped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allocatePort } from '../../src/hosts/local/ports.js';
import { MessageTrace, messageSummary, traceFile } from '../../src/node/message-trace.js';
import { readClocks } from '../../src/node/time-base.js';
import { Transport } from '../../src/node/transport.js';
import { loadRunFiles } from '../../src/results/run-files.js';
import { waitFor } from '../fixtures/run-watch.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-trace-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('message traces', () => {
  it('records sends, receipts and drops under one id, and the report pairs them in time', async () => {
    const dir = join(root, 'run');
    const nodes = join(dir, 'nodes');
    const origin = readClocks();
    const [pa, pb, dead] = [await allocatePort(), await allocatePort(), await allocatePort()];
    const got: Record<string, string[]> = { n1: [], n2: [] };
    const start = (self: 'n1' | 'n2', port: number, peers: Record<string, string>): Promise<{ t: Transport; trace: MessageTrace }> => {
      const trace = MessageTrace.forPlan({ id: self, logDir: nodes } as never)!;
      return Transport.start({ self, listen: `127.0.0.1:${port}`, peers, trace, maxQueue: 2, onMessage: (m) => got[self]!.push(String(m.type)) }).then((t) => ({ t, trace }));
    };
    const a = await start('n1', pa, { n2: `127.0.0.1:${pb}`, n3: `127.0.0.1:${dead}` });
    const b = await start('n2', pb, { n1: `127.0.0.1:${pa}` });
    await waitFor(() => a.t.stats().n2!.connected && b.t.stats().n1!.connected, 5000, 'links up');
    for (let i = 0; i < 5; i++) a.t.send('n2', { type: 'append', term: 3, entries: [i, i], seq: i });
    for (let i = 0; i < 3; i++) b.t.send('n1', { type: 'append-reply', term: 3, success: true });
    // n3 never answers: two messages wait in its queue, three are pushed out of it.
    for (let i = 0; i < 5; i++) a.t.send('n3', { type: 'vote', term: 4 });
    await waitFor(() => got.n2!.length === 5 && got.n1!.length === 3, 5000, 'delivery');
    await Promise.all([a.t.close(), b.t.close()]);
    a.trace.close();
    b.trace.close();

    const header = JSON.parse(readFileSync(traceFile(nodes, 'n1'), 'utf8').split('\n')[0]!);
    expect(header).toMatchObject({ node: 'n1', clock: { bootId: origin.bootId } });
    const { messages } = loadRunFiles(dir, { timeOrigin: origin, checkers: {} });
    expect(messages!.nodes).toEqual(['n1', 'n2', 'n3']);
    const all = messages!.messages;
    expect(all).toHaveLength(13);
    const delivered = all.filter((m) => m.recvNs !== undefined);
    expect(delivered).toHaveLength(8);
    for (const m of delivered) {
      expect(m.sentNs).toBeGreaterThanOrEqual(0);
      expect(m.recvNs!).toBeGreaterThanOrEqual(m.sentNs!);
      expect(m.recvNs! - m.sentNs!).toBeLessThan(5e9);
    }
    expect(delivered.filter((m) => m.from === 'n1').map((m) => m.summary)).toEqual([0, 1, 2, 3, 4].map((i) => `term=3 entries=[2] seq=${i}`));
    const toN3 = all.filter((m) => m.to === 'n3');
    expect(toN3.filter((m) => m.dropped)).toHaveLength(3);
    expect(toN3.every((m) => m.recvNs === undefined && m.type === 'vote')).toBe(true);
  });

  it('stops at its cap and says so', () => {
    const file = join(root, 'capped.messages.jsonl');
    const trace = new MessageTrace('n1', file, 2000);
    for (let i = 0; i < 100; i++) trace.sent('n2', trace.nextId(), { type: 'append', term: i });
    trace.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(readFileSync(file, 'utf8').length).toBeLessThan(2300);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ e: 'cap', x: 'trace stopped at 2000 bytes' });
  });

  it('summarises a message by its scalar fields', () => {
    expect(messageSummary({ from: 'n1', type: 'append', mid: 'x.1', sentAt: 5, term: 3, entries: [1, 2], ok: true, leader: null, note: 'a'.repeat(40), nested: { a: 1 } })).toBe(
      'term=3 entries=[2] ok=true leader=null note=aaaaaaaaaaaaaaaaaaaaa...',
    );
  });
});
