/**
 * Timelines as inline SVG: one lane per client process, a bar per operation from invocation to
 * completion coloured by outcome, operations of an anomaly outlined, fault intervals as bands.
 */
import type { Op } from '../api/op.js';
import type { OpPair } from '../history/pairs.js';
import { escapeXml as esc } from './escape.js';
import { describeFault } from './fault-text.js';

/** Beyond this many operations the whole-run timeline is left out (history.jsonl has them). */
const MAX_BARS = 20_000;
/** Beyond this many fault bands none is drawn (the fault log lists them). */
const MAX_BANDS = 5_000;
const LANE_PX = 12;
const LABEL_PX = 60;
const COLOURS = { ok: '#1f9d55', fail: '#d6332a', info: '#c98a00', open: '#8a8fa0' } as const;

export interface Band {
  startNs: number;
  endNs: number;
  label: string;
}

export interface TimelineOptions {
  highlight: ReadonlySet<number>;
  bands: readonly Band[];
  width: number;
  /** Right edge of the time axis; defaults to the last event drawn. */
  endNs?: number;
}

/** Fault intervals: `start-x` opens a band that `stop-x` or `heal` closes. */
export function faultBands(ops: readonly Op[], endNs: number): Band[] {
  const open = new Map<string, Band>();
  const bands: Band[] = [];
  for (const op of ops) {
    if (op.process !== 'nemesis' || op.type === 'invoke') continue;
    if (op.f.startsWith('start-')) {
      const band = { startNs: op.time, endNs, label: describeFault(op.f, op.value) };
      open.set(op.f.slice('start-'.length), band);
      bands.push(band);
    } else if (op.f.startsWith('stop-') || op.f === 'heal') {
      const names = op.f === 'heal' ? [...open.keys()] : [op.f.slice('stop-'.length)];
      for (const name of names) {
        const band = open.get(name);
        if (band) band.endNs = op.time;
        open.delete(name);
      }
    }
  }
  return bands;
}

export function timelineSvg(pairs: readonly OpPair[], opts: TimelineOptions): string {
  if (pairs.length === 0) return '<p class="meta">No operations.</p>';
  if (pairs.length > MAX_BARS) return `<p class="meta">${pairs.length} operations: too many to draw here; see history.jsonl.</p>`;
  const lanes = [...new Set(pairs.map((p) => p.invoke.process))].sort((a, b) => Number(a) - Number(b));
  const laneOf = new Map(lanes.map((p, i) => [p, i]));
  const bands = opts.bands.length > MAX_BANDS ? [] : opts.bands;
  // Loops, not Math.min(...xs): a spread of a long array overflows the stack.
  let t0 = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const p of pairs) {
    t0 = Math.min(t0, p.invoke.time);
    last = Math.max(last, p.completion?.time ?? p.invoke.time);
  }
  for (const b of bands) t0 = Math.min(t0, b.startNs);
  const t1 = opts.endNs ?? last;
  const span = Math.max(t1 - t0, 1);
  const plotWidth = opts.width - LABEL_PX - 10;
  const x = (t: number): number => LABEL_PX + ((t - t0) / span) * plotWidth;
  const height = lanes.length * LANE_PX + 24;
  const parts: string[] = [];
  for (const band of bands) {
    const bx = x(band.startNs);
    parts.push(`<rect x="${bx.toFixed(1)}" y="0" width="${Math.max(x(band.endNs) - bx, 1).toFixed(1)}" height="${height - 14}" fill="#b48ce0" fill-opacity="0.18"><title>${esc(band.label)}</title></rect>`);
  }
  lanes.forEach((p, i) => parts.push(`<text x="2" y="${i * LANE_PX + 9}">p${esc(String(p))}</text>`));
  for (const pair of pairs) {
    const { invoke, completion } = pair;
    const lane = laneOf.get(invoke.process) ?? 0;
    const end = completion && completion.type !== 'info' ? completion.time : t1;
    const colour = completion ? COLOURS[completion.type as keyof typeof COLOURS] : COLOURS.open;
    const hl = opts.highlight.has(invoke.index) ? ' stroke="#000" stroke-width="1.5"' : '';
    const title = `p${invoke.process} ${invoke.f}${invoke.key !== undefined ? ` key ${invoke.key}` : ''} ${JSON.stringify(invoke.value)}` +
      (completion ? ` → ${completion.type} ${JSON.stringify(completion.value)}${completion.error ? ` (${completion.error})` : ''}` : ' → no completion');
    parts.push(`<rect x="${x(invoke.time).toFixed(1)}" y="${lane * LANE_PX + 2}" width="${Math.max(x(end) - x(invoke.time), 1.5).toFixed(1)}" height="${LANE_PX - 4}" fill="${colour}"${hl}><title>${esc(title)}</title></rect>`);
  }
  const seconds = span / 1e9;
  parts.push(`<text x="${LABEL_PX}" y="${height - 3}">${(t0 / 1e9).toFixed(3)} s</text>`);
  parts.push(`<text x="${opts.width - 10}" y="${height - 3}" text-anchor="end">+${seconds.toFixed(3)} s</text>`);
  const untold = bands === opts.bands ? '' : `<p class="meta">${opts.bands.length} fault intervals: too many to shade here; see the fault log.</p>`;
  return `${untold}<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${opts.width}" height="${height}" viewBox="0 0 ${opts.width} ${height}">${parts.join('')}</svg>`;
}
