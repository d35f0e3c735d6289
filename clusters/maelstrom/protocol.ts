/**
 * Maelstrom's wire protocol, as far as the shim and its clients need it: one JSON message per
 * line, `{"src", "dest", "body"}`, where a body has a `type`, a request a `msg_id` and a reply an
 * `in_reply_to`; and the error body `{"type": "error", "code", "text"}` with Maelstrom's table of
 * error codes, each definite (the operation surely did not happen) or indefinite (it may have).
 */

export interface MaelstromBody {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface MaelstromMessage {
  src: string;
  dest: string;
  body: MaelstromBody;
}

/** A JSON value is a Maelstrom message: string src and dest, a body with a string type. */
export function isMaelstromMessage(x: unknown): x is MaelstromMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const body = m.body as Record<string, unknown> | null;
  return typeof m.src === 'string' && typeof m.dest === 'string' && typeof body === 'object' && body !== null && typeof body.type === 'string';
}

/**
 * Maelstrom's error codes (its protocol documentation): name, and whether the error is definite.
 * A code not listed here is indefinite, as Maelstrom treats unknown codes.
 */
export const ERROR_CODES: Readonly<Record<number, { name: string; definite: boolean }>> = {
  0: { name: 'timeout', definite: false },
  1: { name: 'node-not-found', definite: true },
  10: { name: 'not-supported', definite: true },
  11: { name: 'temporarily-unavailable', definite: true },
  12: { name: 'malformed-request', definite: true },
  13: { name: 'crash', definite: false },
  14: { name: 'abort', definite: true },
  20: { name: 'key-does-not-exist', definite: true },
  21: { name: 'key-already-exists', definite: true },
  22: { name: 'precondition-failed', definite: true },
  30: { name: 'txn-conflict', definite: true },
};

export const NOT_SUPPORTED = 10;
export const TEMPORARILY_UNAVAILABLE = 11;
export const MALFORMED_REQUEST = 12;
export const KEY_DOES_NOT_EXIST = 20;
export const PRECONDITION_FAILED = 22;

/** What an error body means for the operation: definite or not, and a line saying which error it was. */
export function classifyError(body: Readonly<Record<string, unknown>>): { definite: boolean; code: unknown; error: string } {
  const code = body.code;
  const known = typeof code === 'number' ? ERROR_CODES[code] : undefined;
  const text = typeof body.text === 'string' && body.text !== '' ? `: ${body.text}` : '';
  const name = known?.name ?? (typeof code === 'number' ? 'unknown code' : 'no code');
  return { definite: known?.definite ?? false, code, error: `maelstrom error ${String(code)} (${name})${text}` };
}

/** The Maelstrom services faultline provides (./services.ts), by the names nodes address them. */
export const SERVICE_NAMES = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Where a message a node writes goes, by its `dest`: another node of the cluster (or itself), a
 * client (Maelstrom's clients are `c1`, `c2`, ...), one of Maelstrom's services (`lin-kv`,
 * `seq-kv`, `lww-kv`, `lin-tso`), or anything else (a mistake).
 */
export function destinationKind(dest: string, nodes: readonly string[]): 'node' | 'client' | 'service' | 'other' {
  if (nodes.includes(dest)) return 'node';
  if ((SERVICE_NAMES as readonly string[]).includes(dest)) return 'service';
  return /^c\d+$/.test(dest) ? 'client' : 'other';
}
