/**
 * Node names: `--nodes 5` means n1..n5; `--nodes a,b,c` names them. Names end up in file names
 * (logs, data directories), namespace and container names, and grudges, so they are plain words.
 */
import { CLIENTS } from '../api/net.js';
import { UserError } from '../user-error.js';

/** Most nodes a run may have. */
export const MAX_NODES = 100;

/** Letters, digits, `_ . -`, starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Node names of a cluster of `count` nodes: n1, n2, ... */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/**
 * The nodes `--nodes <value>` asks for: a number is a count, anything else a comma-separated
 * list of names.
 * @throws UserError on a bad count or name, a duplicate, or too many nodes.
 */
export function parseNodes(value: string): string[] {
  const text = value.trim();
  const count = Number(text);
  if (text !== '' && !Number.isNaN(count)) {
    if (!Number.isSafeInteger(count) || count <= 0) throw new UserError(`--nodes must be a positive whole number or a list of names, not '${value}'`);
    if (count > MAX_NODES) throw new UserError(`--nodes must be at most ${MAX_NODES}, not ${count}`);
    return nodeNames(count);
  }
  const names = text.split(',').map((n) => n.trim());
  const bad = names.find((n) => !NAME.test(n) || n === CLIENTS);
  if (bad !== undefined) {
    throw new UserError(`--nodes: '${bad}' cannot name a node (up to 63 letters, digits, _ . -, starting with a letter or digit; not '${CLIENTS}')`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UserError(`--nodes names ${twice} twice`);
  if (names.length > MAX_NODES) throw new UserError(`--nodes must be at most ${MAX_NODES} nodes, not ${names.length}`);
  return names;
}

/** `--nodes` as a command line gives it back: the count for n1..nN, else the names. */
export function nodesArgument(nodes: readonly string[]): string {
  return nodes.join(',') === nodeNames(nodes.length).join(',') ? String(nodes.length) : nodes.join(',');
}

/**
 * The nodes of a saved spec: a count in runs saved before node names existed becomes n1..nN;
 * anything else is kept as it is (a spec out of shape is refused when it is resolved).
 */
export function savedNodes(value: unknown): string[] {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? nodeNames(value) : (value as string[]);
}
