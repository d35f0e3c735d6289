/**
 * Maelstrom's services as faultline provides them (clusters/maelstrom/services.ts): lin-kv is one
 * linearizable map with Maelstrom's errors; seq-kv serves reads from past states but never older
 * than what a client saw or wrote, nor older than its staleness bound; lww-kv's copies disagree
 * until gossip merges them by the higher stamp; lin-tso counts up. Also the service host's
 * messages, over a real Unix socket.
 */
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closeServiceHosts, serviceHost, serviceReply } from '../../../clusters/maelstrom/service-host.js';
import { LinKv, LinTso, LwwKv, SeqKv, Services } from '../../../clusters/maelstrom/services.js';

// Vitest's workers end without the harness's exit handler: close the hosts (and their sockets) here.
afterAll(closeServiceHosts);

describe('lin-kv', () => {
  it('reads, writes and cas with errors 20 and 22, and create_if_not_exists', () => {
    const kv = new LinKv();
    expect(kv.handle('n1', { type: 'read', key: 1 })).toMatchObject({ type: 'error', code: 20 });
    expect(kv.handle('n1', { type: 'cas', key: 1, from: 0, to: 1 })).toMatchObject({ type: 'error', code: 20 });
    expect(kv.handle('n1', { type: 'cas', key: 1, from: 0, to: 1, create_if_not_exists: true })).toEqual({ type: 'cas_ok' });
    expect(kv.handle('n2', { type: 'read', key: 1 })).toEqual({ type: 'read_ok', value: 1 });
    expect(kv.handle('n2', { type: 'cas', key: 1, from: 0, to: 2 })).toMatchObject({ type: 'error', code: 22 });
    expect(kv.handle('n2', { type: 'write', key: 1, value: [1, 2] })).toEqual({ type: 'write_ok' });
    expect(kv.handle('n3', { type: 'cas', key: 1, from: [1, 2], to: 'x' })).toEqual({ type: 'cas_ok' });
    expect(kv.handle('n3', { type: 'read', key: '1' })).toMatchObject({ code: 20 });
    expect(kv.handle('n3', { type: 'write', key: 2 })).toMatchObject({ code: 12 });
    expect(kv.handle('n3', { type: 'append', key: 2 })).toMatchObject({ code: 10 });
  });
});

describe('seq-kv', () => {
  it('may read a past state, but never older than what the client wrote or read before', () => {
    const oldest = () => 0;
    const kv = new SeqKv(1000, oldest);
    kv.handle('n1', { type: 'write', key: 'k', value: 1 }, 0);
    kv.handle('n2', { type: 'write', key: 'k', value: 2 }, 10);
    // n3 has seen nothing: the oldest state, where k does not exist yet.
    expect(kv.handle('n3', { type: 'read', key: 'k' }, 20)).toMatchObject({ code: 20 });
    // n1 wrote 1, so it never sees the state before its write; n2 sees its own write.
    expect(kv.handle('n1', { type: 'read', key: 'k' }, 20)).toEqual({ type: 'read_ok', value: 1 });
    expect(kv.handle('n2', { type: 'read', key: 'k' }, 20)).toEqual({ type: 'read_ok', value: 2 });
    // Updates act on the newest state: a cas from a stale view fails with 22.
    expect(kv.handle('n1', { type: 'cas', key: 'k', from: 1, to: 3 }, 30)).toMatchObject({ code: 22 });
    expect(kv.handle('n1', { type: 'cas', key: 'k', from: 2, to: 3 }, 30)).toEqual({ type: 'cas_ok' });
  });

  it('never serves a state older than its staleness bound', () => {
    const kv = new SeqKv(100, () => 0);
    kv.handle('n1', { type: 'write', key: 'k', value: 1 }, 0);
    expect(kv.handle('n2', { type: 'read', key: 'k' }, 50)).toMatchObject({ code: 20 });
    expect(kv.handle('n3', { type: 'read', key: 'k' }, 100)).toEqual({ type: 'read_ok', value: 1 });
  });

  it('each client observes a monotonic order of states (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('n1', 'n2', 'n3'), fc.boolean(), fc.double({ min: 0, max: 0.999, noNaN: true })), { maxLength: 60 }), (steps) => {
        let r = 0;
        const kv = new SeqKv(1e9, () => r);
        let written = 0;
        const seen = new Map<string, number>();
        steps.forEach(([client, write, roll], time) => {
          r = roll;
          if (write) {
            written += 1;
            kv.handle(client, { type: 'write', key: 'k', value: written }, time);
            seen.set(client, written);
            return;
          }
          const reply = kv.handle(client, { type: 'read', key: 'k' }, time);
          const value = reply.type === 'read_ok' ? (reply.value as number) : 0;
          expect(value).toBeGreaterThanOrEqual(seen.get(client) ?? 0);
          expect(value).toBeLessThanOrEqual(written);
          seen.set(client, value);
        });
      }),
    );
  });
});

describe('lww-kv', () => {
  it('serves each request from one copy, and gossip makes the copies agree on the last write', () => {
    let pick = 0;
    const kv = new LwwKv(2, 100, () => pick);
    kv.handle('n1', { type: 'write', key: 'k', value: 'a' }, 0);
    pick = 0.9;
    expect(kv.handle('n1', { type: 'read', key: 'k' }, 10)).toMatchObject({ code: 20 });
    kv.handle('n2', { type: 'write', key: 'k', value: 'b' }, 20);
    pick = 0;
    expect(kv.handle('n1', { type: 'read', key: 'k' }, 30)).toEqual({ type: 'read_ok', value: 'a' });
    // A gossip round: copy 0 takes copy 1's later write, copy 1 keeps it.
    expect(kv.handle('n1', { type: 'read', key: 'k' }, 150)).toEqual({ type: 'read_ok', value: 'b' });
    pick = 0.9;
    expect(kv.handle('n1', { type: 'read', key: 'k' }, 150)).toEqual({ type: 'read_ok', value: 'b' });
  });
});

describe('lin-tso and the services together', () => {
  it('lin-tso hands out increasing timestamps', () => {
    const tso = new LinTso();
    expect([0, 1, 2].map(() => tso.handle('n1', { type: 'ts' }))).toEqual([0, 1, 2].map((ts) => ({ type: 'ts_ok', ts })));
    expect(tso.handle('n1', { type: 'read' })).toMatchObject({ code: 10 });
  });

  it('replies as the service, to the node, in reply to its msg_id; a message without msg_id gets none', () => {
    const services = new Services();
    expect(serviceReply(services, { src: 'n2', dest: 'lin-kv', body: { type: 'write', key: 1, value: 5, msg_id: 9 } }, 0)).toEqual({
      src: 'lin-kv',
      dest: 'n2',
      body: { type: 'write_ok', in_reply_to: 9 },
    });
    expect(serviceReply(services, { src: 'n2', dest: 'lin-kv', body: { type: 'write', key: 1, value: 5 } }, 0)).toBeUndefined();
    expect(serviceReply(services, { src: 'n2', dest: 'n3', body: { type: 'write', key: 1, value: 5, msg_id: 1 } }, 0)).toBeUndefined();
  });

  it('the service host of a run answers over its Unix socket, one instance per run', async () => {
    const path = serviceHost('run-a');
    expect(serviceHost('run-a')).toBe(path);
    expect(serviceHost('run-b')).not.toBe(path);
    const ask = (socket: string, lines: object[]): Promise<unknown[]> =>
      new Promise((resolve, reject) => {
        const s = connect(socket);
        let text = '';
        s.on('error', reject);
        s.on('data', (b: Buffer) => {
          text += b.toString();
          const got = text.split('\n').filter(Boolean);
          if (got.length === lines.length) {
            s.destroy();
            resolve(got.map((l) => JSON.parse(l) as unknown));
          }
        });
        s.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      });
    const write = { src: 'n1', dest: 'lin-kv', body: { type: 'write', key: 3, value: 'v', msg_id: 1 } };
    const read = { src: 'n2', dest: 'lin-kv', body: { type: 'read', key: 3, msg_id: 2 } };
    expect(await ask(path, [write, read])).toEqual([
      { src: 'lin-kv', dest: 'n1', body: { type: 'write_ok', in_reply_to: 1 } },
      { src: 'lin-kv', dest: 'n2', body: { type: 'read_ok', value: 'v', in_reply_to: 2 } },
    ]);
    expect(await ask(serviceHost('run-b'), [read])).toEqual([{ src: 'lin-kv', dest: 'n2', body: { type: 'error', code: 20, text: 'key 3 does not exist', in_reply_to: 2 } }]);
  });
});
