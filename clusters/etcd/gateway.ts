/**
 * etcd's JSON gateway (grpc-gateway over HTTP/1.1, `/v3/...`): one POST per request, keys and
 * values base64-encoded, 64-bit numbers as strings. Plain `fetch`, so no client dependency.
 */

/** An error etcd answered with (its gRPC status message); the request reached a member. */
export class EtcdError extends Error {
  override readonly name = 'EtcdError';
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** POST `body` to `path` on `address`; throws EtcdError for an answer with an error, anything else for no answer. */
export async function call<T>(address: string, path: string, body: unknown, signal: AbortSignal): Promise<T> {
  const res = await fetch(`http://${address}${path}`, { method: 'POST', body: JSON.stringify(body), signal, headers: { 'content-type': 'application/json' } });
  const json = (await res.json()) as T & { error?: string; message?: string };
  if (!res.ok || json.error !== undefined) throw new EtcdError(json.message ?? json.error ?? `HTTP ${res.status}`);
  return json;
}

interface RangeResponse {
  kvs?: { value?: string }[];
}

/** The value of `key`, or null when it is absent; `serializable` reads the member's local state. */
export async function get(address: string, key: string, serializable: boolean, signal: AbortSignal): Promise<string | null> {
  const res = await call<RangeResponse>(address, '/v3/kv/range', { key: b64(key), serializable }, signal);
  const value = res.kvs?.[0]?.value;
  return value === undefined ? null : unb64(value);
}

export async function put(address: string, key: string, value: string, signal: AbortSignal): Promise<void> {
  await call(address, '/v3/kv/put', { key: b64(key), value: b64(value) }, signal);
}

/** Set `key` to `to` if its value is `from`, in one transaction; whether it did. */
export async function compareAndPut(address: string, key: string, from: string, to: string, signal: AbortSignal): Promise<boolean> {
  const res = await call<{ succeeded?: boolean }>(
    address,
    '/v3/kv/txn',
    {
      compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(from) }],
      success: [{ requestPut: { key: b64(key), value: b64(to) } }],
    },
    signal,
  );
  return res.succeeded === true;
}

/** The member id of the node at `address` and of the leader it knows (`'0'` when none). */
export async function status(address: string, signal: AbortSignal): Promise<{ member: string; leader: string }> {
  const res = await call<{ header?: { member_id?: string }; leader?: string }>(address, '/v3/maintenance/status', {}, signal);
  return { member: res.header?.member_id ?? '', leader: res.leader ?? '0' };
}
