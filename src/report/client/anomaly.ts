/// <reference lib="dom" />
/**
 * The anomaly drawn. For linearizability: the failing window as a small timeline, one lane per
 * operation (lettered as the explanation letters them), each bar saying what the operation
 * needs the state to be when it takes effect and what it leaves, so a reader can try the
 * orders by eye. For transactions: the dependency cycle as a graph, one node per transaction
 * and one labelled arrow per edge (its reason on hover). Clicking an operation selects it in
 * the timeline and the table. Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { AnomalyData, Client, Links, ReportData } from './types.js';

export function drawWindow(fl: Client, data: ReportData, anomaly: AnomalyData, links: Links): SVGSVGElement {
  const u = fl.util;
  const { ops } = data;
  const rows = [...anomaly.rows].sort((a, b) => ops.t0[a]! - ops.t0[b]!);
  const stepOf = new Map(anomaly.steps.map((s) => [s.row, s]));
  const W = 960;
  const LEFT = 150;
  const LANE = 30;
  /** The width of a character of the monospace step labels, near enough to place them. */
  const CHAR_W = 7.3;
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const i of rows) {
    t0 = Math.min(t0, ops.t0[i]!);
    t1 = Math.max(t1, ops.t1[i]! >= 0 ? ops.t1[i]! : ops.t0[i]!);
  }
  const pad = Math.max((t1 - t0) * 0.08, 0.05);
  const a = t0 - pad;
  const b = t1 + pad * 3;
  const x = (t: number): number => LEFT + ((t - a) / (b - a)) * (W - LEFT - 10);
  const H = rows.length * LANE + 48;
  const root = u.svg('svg', { class: 'window', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `the operations of ${anomaly.summary}` });
  const defs = u.svg('defs');
  const fade = u.svg('linearGradient', { id: `fade-${anomaly.start}`, x1: 0, x2: 1 }, u.svg('stop', { offset: 0, 'stop-color': data.colours.outcome[2]!, 'stop-opacity': 0.9 }), u.svg('stop', { offset: 1, 'stop-color': data.colours.outcome[2]!, 'stop-opacity': 0 }));
  defs.append(fade);
  root.append(defs);
  for (const band of data.bands) {
    if (band.end < a || band.start > b) continue;
    const x0 = Math.max(LEFT, x(band.start));
    const colour = u.faultColour(data.colours.fault, band.kind);
    root.append(u.svg('rect', { x: x0, y: 0, width: Math.max(1, Math.min(W - 10, x(band.end)) - x0), height: H - 20, fill: colour, 'fill-opacity': 0.14 }, u.svg('title', {}, band.label)));
    root.append(u.svg('text', { x: x0 + 4, y: H - 24, class: 'band-lbl', fill: colour }, band.label.length > 60 ? `${band.label.slice(0, 57)}...` : band.label));
  }
  rows.forEach((i, k) => {
    const y = k * LANE + 4;
    const letter = String.fromCharCode(65 + (k % 26));
    const step = stepOf.get(i);
    const group = u.svg('g', { class: 'win-op', 'data-row': i, tabindex: 0 });
    const node = ops.node[i]! >= 0 ? `  @${data.strings[ops.node[i]!]}` : '';
    group.append(u.svg('text', { x: 4, y: y + 16, class: 'lbl' }, `${letter}  p${ops.process[i]}  #${ops.idx[i]}${node}`));
    const unknown = ops.type[i]! >= 2;
    const x0 = x(ops.t0[i]!);
    const x1 = unknown ? Math.min(W - 10, x0 + 140) : Math.max(x(ops.t1[i]!), x0 + 2);
    group.append(
      u.svg('rect', {
        x: x0,
        y,
        width: x1 - x0,
        height: LANE - 10,
        rx: 3,
        fill: unknown ? `url(#fade-${anomaly.start})` : data.colours.outcome[ops.type[i]!]!,
        stroke: '#000',
        'stroke-width': 1,
      }),
    );
    const label = step?.label ?? `${data.strings[ops.f[i]!]} ${data.strings[ops.value[i]!]}`;
    const state: string[] = [];
    if (step?.needs !== undefined) state.push(`needs ${step.needs}`);
    if (step?.makes !== undefined) state.push(`leaves ${step.makes}`);
    if (unknown) state.push(step?.makes !== undefined ? 'if it happened at all' : 'outcome unknown');
    // Right of the bar, or left of it when the right edge would cut it (the last operations end there).
    const room = (label.length + state.join(', ').length + 2) * CHAR_W;
    const left = x1 + 6 + room > W && x0 - 6 - room >= LEFT;
    const text = u.svg('text', { x: left ? x0 - 6 : x1 + 6, y: y + 14, class: 'step', ...(left && { 'text-anchor': 'end' }) }, label);
    if (state.length > 0) text.append(u.svg('tspan', { class: 'state', dx: 8 }, state.join(', ')));
    group.append(text);
    group.append(u.svg('title', {}, `${letter}: ${label}${state.length ? ` (${state.join(', ')})` : ''}; ${u.secs(ops.t0[i]!, 100)}${ops.t1[i]! >= 0 ? ` → ${u.secs(ops.t1[i]!, 100)}` : ''}`));
    group.addEventListener('click', () => links.selectOp(i, 'anomaly'));
    root.append(group);
  });
  const step = u.niceStep((b - a) / 6);
  for (let t = Math.ceil(a / step) * step; t <= b; t += step) {
    root.append(u.svg('line', { x1: x(t), x2: x(t), y1: H - 22, y2: H - 17, stroke: '#8a8fa0' }));
    root.append(u.svg('text', { x: x(t) + 2, y: H - 6, class: 'lbl' }, u.secs(t, b - a)));
  }
  return root;
}

export function drawCycle(fl: Client, data: ReportData, anomaly: AnomalyData, links: Links): SVGSVGElement {
  const u = fl.util;
  const { ops } = data;
  const edges = anomaly.cycle ?? [];
  const rowOfIndex = new Map<number, number>();
  for (let i = 0; i < ops.idx.length; i++) {
    rowOfIndex.set(ops.idx[i]!, i);
    if (ops.cidx[i]! >= 0) rowOfIndex.set(ops.cidx[i]!, i);
  }
  const nodes: number[] = [];
  for (const e of edges) for (const n of [e.from, e.to]) if (!nodes.includes(n)) nodes.push(n);
  const R = Math.max(90, nodes.length * 28);
  const GRAPH = 2 * R + 120;
  const LEGEND_X = GRAPH + 10;
  const LINE = 18;
  const W = LEGEND_X + 620;
  const H = Math.max(2 * R + 90, (nodes.length + edges.length + 3) * LINE + 20);
  const cx = GRAPH / 2;
  const cy = R + 45;
  const pos = new Map(nodes.map((n, k) => [n, { x: cx + R * Math.sin((2 * Math.PI * k) / nodes.length), y: cy - R * Math.cos((2 * Math.PI * k) / nodes.length) }]));
  const name = new Map(nodes.map((n, k) => [n, `T${k + 1}`]));
  const root = u.svg('svg', { class: 'cycle', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `dependency cycle: ${anomaly.summary}` });
  root.append(
    u.svg('defs', {}, u.svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' }, u.svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#1d2330' }))),
  );
  const NODE_R = 24;
  const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
  edges.forEach((e) => {
    const p = pos.get(e.from)!;
    const q = pos.get(e.to)!;
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.max(1, Math.hypot(dx, dy));
    // A gentle curve, outward for edges that run around the ring in its order, so two opposite
    // edges between the same pair stay apart; the label just outside the curve's apex.
    const nx = dy / len;
    const ny = -dx / len;
    const mx = (p.x + q.x) / 2 + nx * 26;
    const my = (p.y + q.y) / 2 + ny * 26;
    const sx = p.x + (dx / len) * NODE_R;
    const sy = p.y + (dy / len) * NODE_R;
    const ex = q.x - (dx / len) * (NODE_R + 2);
    const ey = q.y - (dy / len) * (NODE_R + 2);
    const g = u.svg('g', { class: `edge rel-${e.relation}` });
    g.append(u.svg('path', { d: `M${sx},${sy} Q${mx},${my} ${ex},${ey}`, fill: 'none', stroke: '#1d2330', 'stroke-width': 1.6, 'marker-end': 'url(#arrow)' }));
    g.append(u.svg('text', { x: (p.x + q.x) / 2 + nx * 25, y: (p.y + q.y) / 2 + ny * 25 + 4, class: 'rel', 'text-anchor': 'middle' }, e.relation));
    g.append(u.svg('title', {}, e.why));
    root.append(g);
  });
  /** A transaction's micro-operations as Elle prints them: `[append x 1] [r y []]`, from their JSON. */
  function microOps(json: string): string {
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      return json;
    }
    const isOp = (m: unknown): m is unknown[] => Array.isArray(m) && m.length === 3 && typeof m[0] === 'string';
    if (!Array.isArray(v) || !v.every(isOp)) return json;
    return v.map((m) => `[${m.map((x, k) => (k < 2 && typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`).join(' ');
  }
  const describe = (n: number): string => {
    const row = rowOfIndex.get(n);
    if (row === undefined) return `history #${n}`;
    // What the transaction read is what its edges are about: its completion's value when it has one.
    const value = ops.type[row] === 0 && ops.result[row]! >= 0 ? ops.result[row]! : ops.value[row]!;
    return `p${ops.process[row]} ${data.strings[ops.f[row]!]} ${microOps(data.strings[value] ?? '')}`;
  };
  nodes.forEach((n) => {
    const { x, y } = pos.get(n)!;
    const row = rowOfIndex.get(n);
    const g = u.svg('g', { class: 'txn', tabindex: 0, ...(row !== undefined && { 'data-row': row }) });
    g.append(u.svg('circle', { cx: x, cy: y, r: NODE_R, fill: '#fff', stroke: '#d6332a', 'stroke-width': 2 }));
    g.append(u.svg('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'tname' }, name.get(n)!));
    g.append(u.svg('title', {}, `${name.get(n)!} = history #${n}: ${describe(n)}`));
    if (row !== undefined) g.addEventListener('click', () => links.selectOp(row, 'anomaly'));
    root.append(g);
  });
  // The legend: what each transaction did, and why each edge holds.
  let y = 24;
  const line = (text: string, cls: string, title?: string): void => {
    const t = u.svg('text', { x: LEGEND_X, y, class: cls }, cut(text, 96));
    if (title !== undefined || text.length > 96) t.append(u.svg('title', {}, title ?? text));
    root.append(t);
    y += LINE;
  };
  for (const n of nodes) line(`${name.get(n)!} = ${describe(n)}  (#${n})`, 'legend');
  y += LINE / 2;
  for (const e of edges) line(`${name.get(e.from)!} → ${name.get(e.to)!} ${e.relation}: ${e.why}`, 'legend why', e.why);
  return root;
}

