/**
 * Maelstrom's services, the nodes a Maelstrom node may send requests to besides its peers
 * (Maelstrom's doc/services.md), without I/O: each takes a request body from a node and returns
 * the reply body (its `in_reply_to` set by the caller).
 *
 * - `lin-kv`: one copy of a key-value map; every request takes effect at once, in arrival order:
 *   linearizable.
 * - `seq-kv`: sequentially consistent. Updates apply to the newest state, in one total order;
 *   a read may see a past state, but never one older than what that client (node) already saw
 *   or wrote, and never one older than `staleMs` (so a node that keeps reading catches up, as
 *   in Maelstrom, where staleness is bounded too).
 * - `lww-kv`: Maelstrom's pathological last-write-wins store: `replicas` independent copies;
 *   each request goes to one copy at random, each write is stamped with the service's clock, and
 *   every `gossipMs` each copy merges another's entries, the higher stamp winning.
 * - `lin-tso`: a linearizable timestamp oracle, `ts` → `ts_ok` with the next integer.
 *
 * The key-value services answer `read` (`read_ok` + value), `write` (`write_ok`) and `cas`
 * (`from`, `to`, optional `create_if_not_exists`; `cas_ok`) with Maelstrom's errors: 20
 * key-does-not-exist, 22 precondition-failed, 12 malformed-request, 10 not-supported.
 */
import { KEY_DOES_NOT_EXIST, MALFORMED_REQUEST as MALFORMED, NOT_SUPPORTED, PRECONDITION_FAILED, type MaelstromBody, type ServiceName } from './protocol.js';

/** A reply body without in_reply_to. */
export type Reply = MaelstromBody;

const error = (code: number, text: string): Reply => ({ type: 'error', code, text });

/** Whether two JSON values are equal: lists element by element, maps whatever the order of their keys. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
const keyText = (key: unknown): string => JSON.stringify(key ?? null);

/** A key-value map as a service holds it: value by key, `undefined` when absent. */
interface KvView {
  get(key: string): unknown;
}

/** What a read / write / cas request does to the view it is served from: the reply and the write to make, if any. */
export function kvStep(view: KvView, body: MaelstromBody): { reply: Reply; write?: { key: string; value: unknown } } {
  const key = keyText(body.key);
  const current = view.get(key);
  switch (body.type) {
    case 'read':
      return { reply: current === undefined ? error(KEY_DOES_NOT_EXIST, `key ${key} does not exist`) : { type: 'read_ok', value: current } };
    case 'write':
      if (!('value' in body)) return { reply: error(MALFORMED, 'write needs a value') };
      return { reply: { type: 'write_ok' }, write: { key, value: body.value } };
    case 'cas': {
      if (!('from' in body) || !('to' in body)) return { reply: error(MALFORMED, 'cas needs from and to') };
      if (current === undefined && body.create_if_not_exists !== true) return { reply: error(KEY_DOES_NOT_EXIST, `key ${key} does not exist`) };
      if (current !== undefined && !same(current, body.from)) {
        return { reply: error(PRECONDITION_FAILED, `expected ${JSON.stringify(body.from)}, but had ${JSON.stringify(current)}`) };
      }
      return { reply: { type: 'cas_ok' }, write: { key, value: body.to } };
    }
    default:
      return { reply: error(NOT_SUPPORTED, `a key-value service does not know ${body.type}`) };
  }
}

export interface Service {
  /** The reply to `body` from node `src`, at monotonic time `nowMs`. */
  handle(src: string, body: MaelstromBody, nowMs: number): Reply;
}

export class LinKv implements Service {
  private readonly map = new Map<string, unknown>();
  handle(_src: string, body: MaelstromBody): Reply {
    const { reply, write } = kvStep(this.map, body);
    if (write) this.map.set(write.key, write.value);
    return reply;
  }
}

export class LinTso implements Service {
  private next = 0;
  handle(_src: string, body: MaelstromBody): Reply {
    return body.type === 'ts' ? { type: 'ts_ok', ts: this.next++ } : error(NOT_SUPPORTED, `lin-tso answers ts only, not ${body.type}`);
  }
}

/** One key's versions in seq-kv: the value written at each version, oldest first. */
type Versions = { version: number; time: number; value: unknown }[];

export class SeqKv implements Service {
  private readonly keys = new Map<string, Versions>();
  /** Newest version, and when each version was made (for the staleness bound). */
  private version = 0;
  private readonly madeAt: number[] = [0];
  /** The oldest version each client may still see. */
  private readonly floor = new Map<string, number>();

  constructor(
    private readonly staleMs = 1000,
    private readonly random: () => number = Math.random,
  ) {}

  handle(src: string, body: MaelstromBody, nowMs: number): Reply {
    const update = body.type !== 'read';
    const at = update ? this.version : this.readVersion(src, nowMs);
    const { reply, write } = kvStep({ get: (key) => valueAt(this.keys.get(key), at) }, body);
    if (write) {
      this.version += 1;
      this.madeAt.push(nowMs);
      const versions = this.keys.get(write.key) ?? [];
      versions.push({ version: this.version, time: nowMs, value: write.value });
      this.keys.set(write.key, versions);
    }
    this.floor.set(src, update ? this.version : at);
    this.prune(nowMs);
    return reply;
  }

  /** A version for a read by `src`: at random between the oldest it may see and the newest. */
  private readVersion(src: string, nowMs: number): number {
    const fresh = this.oldestWithin(nowMs);
    const lowest = Math.max(this.floor.get(src) ?? 0, fresh);
    return lowest + Math.floor(this.random() * (this.version - lowest + 1));
  }

  /** The oldest version a read may still return: the newest made `staleMs` or more ago, or any newer. */
  private oldestWithin(nowMs: number): number {
    let v = this.version;
    while (v > 0 && nowMs - (this.madeAt[v] as number) < this.staleMs) v -= 1;
    return v;
  }

  /** Forget versions no read can return any more (each key keeps its newest below the bound). */
  private prune(nowMs: number): void {
    let keep = this.oldestWithin(nowMs);
    for (const f of this.floor.values()) keep = Math.min(keep, f);
    for (const versions of this.keys.values()) {
      let drop = 0;
      while (drop + 1 < versions.length && (versions[drop + 1] as Versions[number]).version <= keep) drop += 1;
      if (drop > 0) versions.splice(0, drop);
    }
  }
}

/** The value of a key at `version`: the newest write no newer than it. */
function valueAt(versions: Versions | undefined, version: number): unknown {
  let found: unknown;
  for (const v of versions ?? []) {
    if (v.version > version) break;
    found = v.value;
  }
  return found;
}

export class LwwKv implements Service {
  private readonly copies: Map<string, { value: unknown; stamp: number }>[];
  private lastGossip = 0;
  private lastStamp = 0;

  constructor(
    replicas = 5,
    private readonly gossipMs = 100,
    private readonly random: () => number = Math.random,
  ) {
    this.copies = Array.from({ length: replicas }, () => new Map());
  }

  handle(_src: string, body: MaelstromBody, nowMs: number): Reply {
    this.gossip(nowMs);
    const copy = this.copies[Math.floor(this.random() * this.copies.length)] as LwwKv['copies'][number];
    const { reply, write } = kvStep({ get: (key) => copy.get(key)?.value }, body);
    // Stamps are the service's clock, made unique so that merges agree on a winner.
    if (write) copy.set(write.key, { value: write.value, stamp: (this.lastStamp = Math.max(nowMs, this.lastStamp + 1e-3)) });
    return reply;
  }

  /** Every `gossipMs`, each copy takes in the entries of another, the higher stamp winning. */
  private gossip(nowMs: number): void {
    if (nowMs - this.lastGossip < this.gossipMs) return;
    this.lastGossip = nowMs;
    this.copies.forEach((copy, i) => {
      const other = this.copies[(i + 1 + Math.floor(this.random() * (this.copies.length - 1))) % this.copies.length] as LwwKv['copies'][number];
      for (const [key, entry] of other) if ((copy.get(key)?.stamp ?? -Infinity) < entry.stamp) copy.set(key, entry);
    });
  }
}

/** One instance of every service, for one run. */
export class Services {
  private readonly table: Record<ServiceName, Service> = { 'lin-kv': new LinKv(), 'seq-kv': new SeqKv(), 'lww-kv': new LwwKv(), 'lin-tso': new LinTso() };

  /** The reply to a request `body` sent by node `src` to service `dest`. */
  handle(dest: ServiceName, src: string, body: MaelstromBody, nowMs: number): Reply {
    return { ...this.table[dest].handle(src, body, nowMs), ...(typeof body.msg_id === 'number' && { in_reply_to: body.msg_id }) };
  }
}
