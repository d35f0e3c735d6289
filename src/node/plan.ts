/**
 * Reading the `--plan '<json>'` argument a bundled node is launched with (see SystemDef.launch)
 * into a checked NodePlan. Every mistake names the field, so a bad launch fails in one line.
 */
import type { NodePlan } from '../api/cluster.js';
import { parseHostPort } from '../net/address.js';

export class PlanError extends Error {
  override name = 'PlanError';
}

/** The NodePlan passed as `--plan <json>` (or `--plan=<json>`) in `argv`. */
export function parsePlanArgs(argv: readonly string[] = process.argv.slice(2)): NodePlan {
  let text: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--plan') {
      text = argv[i + 1];
      if (text === undefined) throw new PlanError('--plan needs a JSON value');
      break;
    }
    if (arg.startsWith('--plan=')) {
      text = arg.slice('--plan='.length);
      break;
    }
  }
  if (text === undefined) throw new PlanError('missing --plan <json> argument');
  return parsePlan(text);
}

/** Parse and check a NodePlan from its JSON text. */
export function parsePlan(text: string): NodePlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PlanError(`--plan is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new PlanError('--plan must be a JSON object');

  const id = str(raw, 'id');
  const nodes = strArray(raw, 'nodes');
  if (nodes.length === 0) throw new PlanError('plan.nodes must not be empty');
  if (new Set(nodes).size !== nodes.length) throw new PlanError('plan.nodes has duplicates');
  if (!nodes.includes(id)) throw new PlanError(`plan.id "${id}" is not in plan.nodes`);
  const index = raw.index === undefined ? nodes.indexOf(id) : int(raw, 'index');

  const peersRaw = raw.peers;
  if (!isObject(peersRaw)) throw new PlanError('plan.peers must be an object of node id → host:port');
  const peers: Record<string, string> = {};
  for (const [node, addr] of Object.entries(peersRaw)) {
    if (typeof addr !== 'string') throw new PlanError(`plan.peers.${node} must be a host:port string`);
    checkAddress(addr, `plan.peers.${node}`);
    peers[node] = addr;
  }
  for (const node of nodes) {
    if (node !== id && peers[node] === undefined) throw new PlanError(`plan.peers lacks node "${node}"`);
  }

  const peerListen = str(raw, 'peerListen');
  const clientListen = str(raw, 'clientListen');
  checkAddress(peerListen, 'plan.peerListen');
  checkAddress(clientListen, 'plan.clientListen');

  const options = raw.options === undefined ? {} : raw.options;
  if (!isObject(options)) throw new PlanError('plan.options must be an object');

  return {
    id,
    index,
    nodes,
    dataDir: str(raw, 'dataDir'),
    ...(raw.logDir !== undefined && { logDir: str(raw, 'logDir') }),
    peerListen,
    clientListen,
    peers,
    clockFile: str(raw, 'clockFile'),
    bugs: raw.bugs === undefined ? [] : strArray(raw, 'bugs'),
    options,
  };
}

/** Split `host:port` (IPv6 as `[::1]:port`). */
export function parseAddress(addr: string): { host: string; port: number } {
  try {
    return parseHostPort(addr);
  } catch {
    throw new PlanError(`"${addr}" is not host:port`);
  }
}

function checkAddress(addr: string, field: string): void {
  try {
    parseAddress(addr);
  } catch (err) {
    throw new PlanError(`${field}: ${(err as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new PlanError(`plan.${key} must be a non-empty string`);
  return v;
}

function int(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new PlanError(`plan.${key} must be a non-negative integer`);
  }
  return v;
}

function strArray(o: Record<string, unknown>, key: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new PlanError(`plan.${key} must be an array of strings`);
  }
  return v;
}
