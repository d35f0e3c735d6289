/**
 * Layered partitions, so partition-type nemeses (`partition`, `partition-primary`,
 * `bridge-primary`, `election-crash`, `silent-crash`) can cut the network at the same time
 * without undoing each other. A `Net` holds one grudge and `partition()` replaces it; here each
 * nemesis owns a named layer, the net is given the union of every layer (a message is dropped
 * when any layer drops it), and clearing a layer re-applies what the others still cut. Link
 * shapes compose the same way (nemeses/link-shapes.ts).
 *
 * It sits over `Net.partition`, so no backend changes: `Net.heal()`, a host's teardown and
 * `faultline clean` still remove every cut. Changes to one net run one at a time in call order,
 * each giving the net the union as it stands then, so however a backend's awaits interleave, the
 * net ends holding the union of the layers the last change left.
 */
import type { Grudge, Net } from '../api/net.js';
import { describeGrudge, normalize, union } from './grudge.js';

/** What is in force after a change to one layer. */
export interface CutsInForce {
  /** The union of every layer: what the net now drops. */
  grudge: Grudge;
  /** The other layers that still cut something, sorted. */
  others: string[];
}

interface Ledger {
  /** Layer name → its cut (normalized, never empty). */
  layers: Map<string, Grudge>;
  /** The last change queued; the next one starts once it settles. */
  tail: Promise<unknown>;
  /** Changes queued or running. */
  pending: number;
}

const ledgers = new WeakMap<Net, Ledger>();

function ledgerOf(net: Net): Ledger {
  let ledger = ledgers.get(net);
  if (!ledger) {
    ledger = { layers: new Map(), tail: Promise.resolve(), pending: 0 };
    ledgers.set(net, ledger);
  }
  return ledger;
}

function put(layers: Map<string, Grudge>, layer: string, grudge: Grudge | undefined): void {
  if (grudge === undefined || Object.keys(grudge).length === 0) layers.delete(layer);
  else layers.set(layer, grudge);
}

/**
 * Make `layer` cut exactly `grudge` (an empty grudge removes the layer) and give the net the
 * union of every layer. When the net refuses the union (a node it does not know, a failed
 * command; the backends then change nothing), the layer is put back as it was and the error
 * is thrown. With no other change in flight the net is called at once, before this returns, so
 * a cut started beside a crash (`Promise.all`) reaches the net first, as a direct call would.
 */
export function setCutLayer(net: Net, layer: string, grudge: Grudge): Promise<CutsInForce> {
  const ledger = ledgerOf(net);
  const run = async (): Promise<CutsInForce> => {
    const before = ledger.layers.get(layer);
    put(ledger.layers, layer, normalize(grudge));
    const all = union(...ledger.layers.values());
    try {
      await net.partition(all);
    } catch (err) {
      put(ledger.layers, layer, before);
      throw err;
    } finally {
      ledger.pending--;
    }
    return { grudge: all, others: [...ledger.layers.keys()].filter((name) => name !== layer).sort() };
  };
  const change = ledger.pending++ === 0 ? run() : ledger.tail.then(run);
  ledger.tail = change.catch(() => undefined);
  return change;
}

/** Remove `layer`'s cuts; every other layer's stay in force. Safe to repeat. */
export function clearCutLayer(net: Net, layer: string): Promise<CutsInForce> {
  return setCutLayer(net, layer, {});
}

/** The layers that cut something on `net` as the changes made so far left them, each with its cut. */
export function cutLayers(net: Net): ReadonlyMap<string, Grudge> {
  return new Map(ledgers.get(net)?.layers ?? []);
}

/** Recorded beside a nemesis's own cut when other layers cut too: their names, and the whole cut in force. */
export interface OtherCuts {
  others?: string[];
  inForce?: Grudge;
}

/**
 * What a nemesis records beside its own cut, so its text and value stay true when other layers
 * cut too: nothing when none does (or `state` is undefined: no change was made); otherwise
 * their names and the whole cut in force, and a clause for its text (`; silent-crash's cuts
 * stay in force: ...` after a heal, `; with silent-crash's cuts, in force: ...` after a cut).
 */
export function othersInForce(
  state: CutsInForce | undefined,
  nodes: readonly string[],
  after: 'cut' | 'heal',
): { clause: string; value: OtherCuts } {
  if (state === undefined || state.others.length === 0) return { clause: '', value: {} };
  const whose = `${state.others.join(', ')}'s cuts`;
  const clause = after === 'heal' ? `; ${whose} stay in force: ` : `; with ${whose}, in force: `;
  return { clause: clause + describeGrudge(state.grudge, nodes), value: { others: state.others, inForce: state.grudge } };
}
