/**
 * The Maelstrom shim's pieces without processes: how workload operations become Maelstrom
 * requests, how replies and error codes become ok / fail / info, what the client port accepts,
 * and where the router sends each message a node writes or a peer's shim carries.
 */
import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../../src/api/client.js';
import type { KvResponse } from '../../../src/node/kv/protocol.js';
import { programArgs } from '../../../clusters/maelstrom/binary.js';
import { broadcast, clientId, completion, counter, echo, gSet, linKv, maelstromKey, txnListAppend, uniqueIds, type RequestMapping } from '../../../clusters/maelstrom/client.js';
import { classifyError, destinationKind, ERROR_CODES, type MaelstromBody, type MaelstromMessage } from '../../../clusters/maelstrom/protocol.js';
import { Router, type ShimMessage } from '../../../clusters/maelstrom/router.js';
import { parseRpcRequest } from '../../../clusters/maelstrom/rpc.js';

const ok = (value: unknown): KvResponse => ({ id: 1, type: 'ok', value });
const error = (code: unknown, text = 'why'): KvResponse => ok({ type: 'error', code, text, in_reply_to: 1 });

/** The outcome of `op` under `mapping` when the node replies `res`; 'info' when it throws. */
function outcome(mapping: RequestMapping, op: Invocation, res: KvResponse): unknown {
  try {
    return completion(mapping, op, mapping.body(op), res);
  } catch (err) {
    return { type: 'info', error: (err as Error).message };
  }
}

describe('Maelstrom requests for faultline operations', () => {
  it('lin-kv: read, write and cas on integer keys, as Maelstrom writes them', () => {
    expect(linKv.body({ f: 'read', key: '12', value: null })).toEqual({ type: 'read', key: 12 });
    expect(linKv.body({ f: 'write', key: '0', value: 3 })).toEqual({ type: 'write', key: 0, value: 3 });
    expect(linKv.body({ f: 'cas', key: '7', value: [1, 2] })).toEqual({ type: 'cas', key: 7, from: 1, to: 2 });
    expect(() => linKv.body({ f: 'append', key: '7', value: 1 })).toThrow(/cannot do "append"/);
  });

  it('keeps a key that is no plain decimal number a string', () => {
    expect(['x', '007', '-1', '1e3', '12345678901234567'].map(maelstromKey)).toEqual(['x', '007', '-1', '1e3', '12345678901234567']);
  });

  it('counter: add a delta (either sign), read, and the final read', () => {
    expect(counter.body({ f: 'add', value: -4 })).toEqual({ type: 'add', delta: -4 });
    expect(counter.body({ f: 'read', value: null })).toEqual({ type: 'read' });
    expect(counter.body({ f: 'final-read', value: null })).toEqual({ type: 'read' });
  });

  it('unique-ids: generate, the id as the result; echo: the payload, and what came back as the result', () => {
    expect(uniqueIds.body({ f: 'generate', value: null })).toEqual({ type: 'generate' });
    expect(outcome(uniqueIds, { f: 'generate', value: null }, ok({ type: 'generate_ok', id: 'n1-4' }))).toEqual({ type: 'ok', value: 'n1-4' });
    expect(echo.body({ f: 'echo', value: 'hi' })).toEqual({ type: 'echo', echo: 'hi' });
    expect(outcome(echo, { f: 'echo', value: 'hi' }, ok({ type: 'echo_ok', echo: 'hey' }))).toEqual({ type: 'ok', value: 'hey' });
  });

  it('g-set: add an element, read the set as its value', () => {
    expect(gSet.body({ f: 'add', key: 'set-0', value: 7 })).toEqual({ type: 'add', element: 7 });
    expect(gSet.body({ f: 'read', key: 'set-0', value: null })).toEqual({ type: 'read' });
    expect(outcome(gSet, { f: 'read', value: null }, ok({ type: 'read_ok', value: [1, 7] }))).toEqual({ type: 'ok', value: [1, 7] });
    expect(outcome(gSet, { f: 'add', value: 7 }, ok({ type: 'add_ok' }))).toEqual({ type: 'ok', value: 7 });
  });

  it('broadcast: topology, broadcast a message, read (during the run and final) the messages', () => {
    const topology = { n1: ['n2'], n2: ['n1'] };
    expect(broadcast.body({ f: 'topology', value: topology })).toEqual({ type: 'topology', topology });
    expect(broadcast.body({ f: 'broadcast', value: 4 })).toEqual({ type: 'broadcast', message: 4 });
    expect(broadcast.body({ f: 'final-read', value: null })).toEqual({ type: 'read' });
    expect(outcome(broadcast, { f: 'read', value: null }, ok({ type: 'read_ok', messages: [4] }))).toEqual({ type: 'ok', value: [4] });
    expect(outcome(broadcast, { f: 'broadcast', value: 4 }, ok({ type: 'broadcast_ok' }))).toEqual({ type: 'ok', value: 4 });
    expect(() => broadcast.body({ f: 'add', value: 4 })).toThrow(/cannot do "add"/);
  });

  it("txn-list-append: the transaction's micro-operations as they are; txn_ok carries them with the reads filled in; 30 is a fail", () => {
    const txn = [['append', 3, 1], ['r', 3, null]];
    expect(txnListAppend.body({ f: 'txn', value: txn })).toEqual({ type: 'txn', txn });
    const done = [['append', 3, 1], ['r', 3, [1]]];
    expect(outcome(txnListAppend, { f: 'txn', value: txn }, ok({ type: 'txn_ok', txn: done }))).toEqual({ type: 'ok', value: done });
    expect(outcome(txnListAppend, { f: 'txn', value: txn }, error(30))).toMatchObject({ type: 'fail', error: 'maelstrom error 30 (txn-conflict): why' });
  });

  it('gives each faultline process its own Maelstrom client id, c1 upwards', () => {
    expect([0, 1, 41].map(clientId)).toEqual(['c1', 'c2', 'c42']);
  });
});

describe('replies and error codes', () => {
  const read: Invocation = { f: 'read', key: '1', value: null };
  const write: Invocation = { f: 'write', key: '1', value: 3 };
  const cas: Invocation = { f: 'cas', key: '1', value: [3, 4] };

  it('an _ok reply of the request type is ok, with the value a read returns', () => {
    expect(outcome(linKv, read, ok({ type: 'read_ok', value: 4, in_reply_to: 1 }))).toEqual({ type: 'ok', value: 4 });
    expect(outcome(linKv, write, ok({ type: 'write_ok', in_reply_to: 1 }))).toEqual({ type: 'ok', value: 3 });
    expect(outcome(linKv, cas, ok({ type: 'cas_ok' }))).toEqual({ type: 'ok', value: [3, 4] });
    expect(outcome(counter, { f: 'read', value: null }, ok({ type: 'read_ok', value: 17 }))).toEqual({ type: 'ok', value: 17 });
    expect(outcome(counter, { f: 'add', value: 2 }, ok({ type: 'add_ok' }))).toEqual({ type: 'ok', value: 2 });
  });

  it.each([1, 10, 11, 12, 14, 20, 21, 22, 30])('definite error %i is a fail naming the code', (code) => {
    const r = outcome(linKv, cas, error(code)) as { type: string; error: string };
    expect(r.type).toBe('fail');
    expect(r.error).toBe(`maelstrom error ${code} (${ERROR_CODES[code]!.name}): why`);
  });

  it.each([0, 13, 2, 99, -1, 'x', undefined])('indefinite error %s is info', (code) => {
    expect(outcome(linKv, write, error(code))).toMatchObject({ type: 'info' });
  });

  it('a lin-kv read of a key that does not exist is ok with null (the absent register); a cas on it fails', () => {
    expect(outcome(linKv, read, error(20))).toEqual({ type: 'ok', value: null });
    expect(outcome(linKv, cas, error(20))).toMatchObject({ type: 'fail' });
    expect(outcome(counter, { f: 'read', value: null }, error(20))).toMatchObject({ type: 'fail' });
  });

  it('a reply of another type is info; so is a shim that could not get an answer', () => {
    expect(outcome(linKv, write, ok({ type: 'read_ok', value: 1 }))).toMatchObject({ type: 'info', error: expect.stringContaining('answered a write request') });
    expect(outcome(linKv, write, { id: 1, type: 'info', error: 'timeout' })).toEqual({ type: 'info', error: 'timeout' });
  });

  it('a request the shim refused never reached the node: fail', () => {
    expect(outcome(linKv, write, { id: 1, type: 'fail', error: 'bad-request', message: 'no' })).toEqual({ type: 'fail', value: 3, error: 'bad-request' });
  });

  it('classifies every code of the table, and says when there is none', () => {
    expect(Object.entries(ERROR_CODES).filter(([, e]) => !e.definite).map(([c]) => Number(c))).toEqual([0, 13]);
    expect(classifyError({ type: 'error' })).toEqual({ definite: false, code: undefined, error: 'maelstrom error undefined (no code)' });
  });
});

describe("the shim's client port", () => {
  it('takes a Maelstrom body from a client id, with a msg_id', () => {
    const line = JSON.stringify({ id: 4, f: 'rpc', value: { src: 'c3', body: { type: 'read', key: 1, msg_id: 9 } } });
    expect(parseRpcRequest(line)).toEqual({ kind: 'kv', id: 4, req: { src: 'c3', body: { type: 'read', key: 1, msg_id: 9 } } });
    expect(parseRpcRequest('{"id":5,"f":"status"}')).toEqual({ kind: 'status', id: 5 });
  });

  it.each([
    [{ id: 1, f: 'read', key: 'k' }, /expected f "rpc"/],
    [{ id: 1, f: 'rpc', value: { src: 'n1', body: { type: 'read', msg_id: 1 } } }, /client id/],
    [{ id: 1, f: 'rpc', value: { src: 'c1', body: { type: 'read' } } }, /msg_id/],
    [{ id: 1, f: 'rpc', value: { src: 'c1', body: { msg_id: 1 } } }, /type/],
  ])('refuses %j', (req, why) => {
    const parsed = parseRpcRequest(JSON.stringify(req));
    expect(parsed.kind).toBe('bad');
    expect(parsed.kind === 'bad' && parsed.message).toMatch(why);
  });

  it('splits the program arguments on white space', () => {
    expect(programArgs('  --stale-reads   -v 3 ')).toEqual(['--stale-reads', '-v', '3']);
    expect(programArgs('')).toEqual([]);
    expect(programArgs(undefined)).toEqual([]);
  });
});

describe('the router', () => {
  function router(self = 'n1', serviceUp = true) {
    const toNode: MaelstromMessage[] = [];
    const toService: MaelstromMessage[] = [];
    const toPeer: [string, ShimMessage][] = [];
    const answers: [string, MaelstromBody][] = [];
    const warnings: string[] = [];
    const r = new Router(self, ['n1', 'n2', 'n3'], {
      toNode: (m) => toNode.push(m),
      toPeer: (p, m) => toPeer.push([p, m]),
      toService: (m) => serviceUp && toService.push(m) > 0,
      answer: (rid, body) => answers.push([rid, body]),
      warn: (key) => warnings.push(key),
    }, 1000);
    return { r, toNode, toPeer, toService, answers, warnings };
  }
  const msg = (src: string, dest: string, body: MaelstromBody): MaelstromMessage => ({ src, dest, body });

  it('tells Maelstrom destinations apart', () => {
    expect(['n2', 'c12', 'lin-kv', 'seq-kv', 'cx'].map((d) => destinationKind(d, ['n1', 'n2']))).toEqual(['node', 'client', 'service', 'service', 'other']);
    expect(['lww-kv', 'lin-tso', 'lin-kv2'].map((d) => destinationKind(d, ['n1']))).toEqual(['service', 'service', 'other']);
  });

  it("hands a client's request to the node and answers it with the reply matched by in_reply_to", () => {
    const t = router();
    t.r.clientRequest('rid-1', 'c3', { type: 'read', key: 1, msg_id: 7 }, 0);
    expect(t.toNode).toEqual([msg('c3', 'n1', { type: 'read', key: 1, msg_id: 7 })]);
    t.r.fromNode(msg('n1', 'c3', { type: 'read_ok', value: 2, in_reply_to: 6 }));
    expect(t.answers).toEqual([]);
    t.r.fromNode(msg('n1', 'c3', { type: 'read_ok', value: 2, in_reply_to: 7 }));
    expect(t.answers).toEqual([['rid-1', { type: 'read_ok', value: 2, in_reply_to: 7 }]]);
  });

  it("sends a node-to-node message to the peer's shim, loops one to itself back, and delivers a peer's to the node", () => {
    const t = router();
    const gossip = msg('n1', 'n3', { type: 'gossip', p: {} });
    t.r.fromNode(gossip);
    expect(t.toPeer).toEqual([['n3', { kind: 'node', msg: gossip }]]);
    t.r.fromNode(msg('n1', 'n1', { type: 'tick' }));
    const incoming = msg('n2', 'n1', { type: 'forward', msg_id: 3 });
    t.r.fromPeer('n2', { kind: 'node', msg: incoming });
    expect(t.toNode).toEqual([msg('n1', 'n1', { type: 'tick' }), incoming]);
    t.r.fromPeer('n2', { kind: 'node', msg: msg('n2', 'n3', { type: 'x' }) });
    expect(t.warnings).toEqual(['misrouted']);
  });

  it("passes a reply for another shim's client to every peer, and the peer that holds the request answers it", () => {
    const here = router('n1');
    const reply = msg('n1', 'c5', { type: 'write_ok', in_reply_to: 2 });
    here.r.fromNode(reply);
    expect(here.toPeer).toEqual([['n2', { kind: 'client-reply', msg: reply }], ['n3', { kind: 'client-reply', msg: reply }]]);
    const there = router('n2');
    there.r.clientRequest('rid-9', 'c5', { type: 'write', key: 1, value: 1, msg_id: 2 }, 0);
    there.r.fromPeer('n1', { kind: 'client-reply', msg: reply });
    there.r.fromPeer('n1', { kind: 'client-reply', msg: reply });
    expect(there.answers).toEqual([['rid-9', reply.body]]);
  });

  it('sends a request to a Maelstrom service to the service host, and answers it with error 11 while the host is out of reach', () => {
    const t = router();
    const read = msg('n1', 'seq-kv', { type: 'read', key: 'x', msg_id: 4 });
    t.r.fromNode(read);
    expect(t.toService).toEqual([read]);
    expect(t.toNode).toEqual([]);
    const down = router('n1', false);
    down.r.fromNode(read);
    expect(down.toNode).toEqual([msg('seq-kv', 'n1', { type: 'error', in_reply_to: 4, code: 11, text: 'the service seq-kv cannot be reached' })]);
  });

  it('answers a request to an unknown destination with error 10, not-supported', () => {
    const t = router();
    t.r.fromNode(msg('n1', 'kv', { type: 'read', key: 'x', msg_id: 4 }));
    expect(t.toNode).toEqual([msg('kv', 'n1', { type: 'error', in_reply_to: 4, code: 10, text: 'kv is neither a node, a client nor a service faultline provides' })]);
    expect(t.warnings).toEqual(['other-kv']);
  });

  it('forgets requests nobody answered once they expire', () => {
    const t = router();
    t.r.clientRequest('rid-1', 'c1', { type: 'read', key: 1, msg_id: 1 }, 0);
    t.r.expire(1000);
    t.r.fromNode(msg('n1', 'c1', { type: 'read_ok', value: 1, in_reply_to: 1 }));
    expect(t.answers).toEqual([]);
  });
});
