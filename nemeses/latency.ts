/**
 * Slow and lossy links, through `Net.shape`: `latency` delays traffic (each direction of a
 * connection), `loss` drops chunks of it (the fault proxy resets the connection, as a lossy
 * link eventually does to TCP). Either hits every node-to-node link or only the links to and
 * from one node (a slow node); client links are left alone. The two compose with each other and
 * with `partition`: each owns a layer of ./link-shapes.ts and never calls `Net.heal()`.
 *
 * Operations:
 * - `start-latency` `{latencyMs, jitterMs, node?}` → extra delay of latencyMs + U(0, jitterMs);
 *   latency 20–500 ms (log scale), jitter up to half of it. `stop-latency` → unshape.
 * - `start-loss` `{loss, node?}` → lose each chunk with probability `loss` (0.05–0.3).
 *   `stop-loss` → unshape.
 */
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import type { LinkShape } from '../src/api/net.js';
import type { Rng } from '../src/gen/rng.js';
import { faultWindows, logUniform, startStop } from './cadence.js';
import { clearLayer, nodeLinks, setLayer } from './link-shapes.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/** The shape fields a link nemesis sets. */
type ShapeKey = 'latencyMs' | 'jitterMs' | 'loss';

/** The value of `start-latency` / `start-loss`: the shape, and the one node whose links get it. */
export type StartShape = Partial<Record<ShapeKey, number>> & { node?: string };

interface LinkFaultSpec {
  name: string;
  description: string;
  /** Fields of the value that make the shape; all required. */
  keys: readonly ShapeKey[];
  draw(rng: Rng): LinkShape;
  /** e.g. `120–150 ms delay`. */
  describe(shape: LinkShape): string;
  /** What the nemesis needs from the cluster or network mode (NemesisDef.requires). */
  requires?: NemesisDef['requires'];
}

/** Longest delay a link takes (an hour: far past any operation timeout, well within a timer's range). */
const MAX_DELAY_MS = 3_600_000;

function parse(spec: LinkFaultSpec, value: unknown, nodes: readonly string[]): { shape: LinkShape; node?: string } {
  const v = (value ?? {}) as StartShape;
  const shape: LinkShape = {};
  for (const key of spec.keys) {
    const x = v[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > (key === 'loss' ? 1 : MAX_DELAY_MS)) {
      throw new Error(`start-${spec.name} needs {${spec.keys.join(', ')}, node?}, got ${JSON.stringify(value)}`);
    }
    shape[key] = x;
  }
  if (v.node !== undefined && !nodes.includes(v.node)) throw new Error(`start-${spec.name}: no node named ${JSON.stringify(v.node)} in this cluster (${nodes.join(', ')})`);
  return v.node === undefined ? { shape } : { shape, node: v.node };
}

function build(spec: LinkFaultSpec): Nemesis {
  async function start(value: unknown, ctx: NemesisContext): Promise<StartShape & { links: number; text: string }> {
    const { shape, node } = parse(spec, value, ctx.cluster.nodes);
    const links = nodeLinks(ctx.cluster.nodes, node);
    await setLayer(ctx.net, spec.name, shape, links);
    const where = node === undefined ? 'all links' : `links to and from ${node}`;
    return { ...shape, ...(node !== undefined && { node }), links: links.length, text: `${spec.describe(shape)} on ${where}` };
  }

  async function stop(ctx: NemesisContext): Promise<{ text: string }> {
    await clearLayer(ctx.net, spec.name);
    return { text: `no ${spec.name}` };
  }

  return startStopNemesis(spec.name, { start, stop, heal: (ctx) => clearLayer(ctx.net, spec.name) });
}

/** A shape on every link or (half the time) around one node; `undefined` with fewer than 2 nodes. */
function drawShape(spec: LinkFaultSpec, nodes: readonly string[], rng: Rng): StartShape | undefined {
  if (nodes.length < 2) return undefined;
  const value: StartShape = { ...spec.draw(rng) };
  if (rng.float() < 0.5) value.node = rng.pick(nodes);
  return value;
}

/** Windows of shaping, half of them on every link and half around one node. */
function linkFault(spec: LinkFaultSpec): NemesisDef {
  return {
    name: spec.name,
    description: spec.description,
    ...(spec.requires && { requires: spec.requires }),
    build: () => build(spec),
    validate: validateStart(spec.name, (value, nodes) => parse(spec, value, nodes)),
    drawStart: (nodes, rng) => drawShape(spec, nodes, rng),
    schedule(opts: ScheduleOptions): ScheduleEntry[] {
      if (opts.nodes.length < 2) return [];
      return faultWindows(opts, (window, rng) => startStop(spec.name, window, drawShape(spec, opts.nodes, rng)));
    },
  };
}

/** The `latency` nemesis. */
export const latency = linkFault({
  name: 'latency',
  description: 'Delay traffic on every node link, or around one node, by 20–500 ms plus jitter',
  keys: ['latencyMs', 'jitterMs'],
  requires: ['latency'],
  draw(rng) {
    const latencyMs = Math.round(logUniform(20, 500, rng));
    return { latencyMs, jitterMs: Math.round(rng.float() * latencyMs * 0.5) };
  },
  describe: ({ latencyMs = 0, jitterMs = 0 }) => `${jitterMs > 0 ? `${latencyMs}–${latencyMs + jitterMs}` : latencyMs} ms delay`,
});

/** The `loss` nemesis. */
export const loss = linkFault({
  name: 'loss',
  description: 'Lose 5–30 % of traffic chunks (connection resets) on every node link, or around one node',
  keys: ['loss'],
  draw: (rng) => ({ loss: Math.round((0.05 + rng.float() * 0.25) * 100) / 100 }),
  describe: (s) => `${Math.round((s.loss ?? 0) * 100)} % loss`,
});
