/// <reference lib="dom" />
/**
 * The message diagram (a Lamport diagram, as Maelstrom draws for its simulated network, here
 * from the real one): one vertical line per node with time running down, one arrow per message
 * from its send to its receipt, a message that never arrived drawn as a red dashed stub ending
 * in a cross (lost to a partition, a dead node, or dropped by its sender's full queue), fault
 * intervals as bands across, and the client operations sent to each node beside its line, the
 * anomaly's in red. Any window can be drawn: the anomaly's, the timeline's, or typed in.
 * Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { Client, Messages, ReportData, View } from './types.js';

export function mountMessages(fl: Client, data: ReportData, host: HTMLElement, view: View): Messages {
  const u = fl.util;
  const m = data.messages;
  if (!m || m.nodes.length === 0) {
    host.append(u.el('p', { class: 'meta' }, m?.notes[0] ?? 'No message traces in this run: only bundled nodes record the messages they send through the shared transport.'));
    return { show: () => undefined };
  }
  const MAX_ARROWS = 2000;
  const FIRST_MESSAGES = 60;
  const MAX_OPS = 150;
  const palette = ['#3465a4', '#2e8b57', '#8e44ad', '#b8621b', '#1b7f8e', '#6b6f00', '#a03060'];
  const anomalyRows = new Set(data.anomalies.flatMap((a) => a.rows));
  const fromIn = u.el('input', { type: 'number', step: 'any', class: 'win-in', 'aria-label': 'window start (s)' });
  const toIn = u.el('input', { type: 'number', step: 'any', class: 'win-in', 'aria-label': 'window end (s)' });
  const go = u.el('button', { type: 'button' }, 'draw');
  const fromView = u.el('button', { type: 'button' }, "the timeline's window");
  const controls = u.el('div', { class: 'controls' }, 'window from ', fromIn, ' s to ', toIn, ' s ', go, fromView);
  data.anomalies.forEach((a, k) => {
    const b = u.el('button', { type: 'button', class: 'anomaly-btn' }, `anomaly ${k + 1}`);
    b.addEventListener('click', () => show(a.start - pad(a.end - a.start), a.end + pad(a.end - a.start)));
    controls.append(b);
  });
  const status = u.el('p', { class: 'meta' });
  const canvas = u.el('div', { class: 'lamport-box' });
  host.append(controls, status, canvas);
  for (const note of m.notes) host.append(u.el('p', { class: 'meta' }, note));

  function pad(span: number): number {
    return Math.max(span * 0.25, 20);
  }

  function show(a: number, b: number): void {
    if (!(b > a)) return;
    fromIn.value = (a / 1000).toFixed(3);
    toIn.value = (b / 1000).toFixed(3);
    const n = m!.from.length;
    const inWindow: number[] = [];
    let lost = 0;
    for (let i = 0; i < n; i++) {
      const s = m!.sent[i];
      const r = m!.recv[i];
      const t = s ?? r ?? 0;
      if ((t >= a && t <= b) || (r !== null && r !== undefined && r >= a && r <= b)) {
        inWindow.push(i);
        if (r === null || r === undefined) lost++;
      }
    }
    const drawn = inWindow.slice(0, MAX_ARROWS);
    status.textContent =
      `${inWindow.length.toLocaleString('en')} messages between ${u.secs(a, b - a)} and ${u.secs(b, b - a)}, ${lost.toLocaleString('en')} of them never received` +
      (drawn.length < inWindow.length ? `; the first ${drawn.length} drawn (pick a narrower window for the rest)` : '');
    canvas.replaceChildren(diagram(a, b, drawn));
  }

  function diagram(a: number, b: number, drawn: readonly number[]): SVGSVGElement {
    const nodes = m!.nodes;
    const LEFT = 230;
    const TOP = 34;
    const colW = Math.max(120, Math.min(200, (Math.max(600, host.clientWidth || 1000) - LEFT - 40) / nodes.length));
    const W = LEFT + colW * nodes.length + 20;
    const plotH = Math.max(420, Math.min(1600, drawn.length * 7));
    const H = TOP + plotH + 30;
    const x = (k: number): number => LEFT + colW * (k + 0.5);
    const y = (t: number): number => TOP + ((t - a) / (b - a)) * plotH;
    const root = u.svg('svg', { class: 'lamport', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'message diagram' });
    const defs = u.svg('defs');
    palette.forEach((colour, k) => {
      defs.append(u.svg('marker', { id: `msg-arrow-${k}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, u.svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour })));
    });
    root.append(defs);
    for (const band of data.bands) {
      if (band.end < a || band.start > b) continue;
      const y0 = Math.max(TOP, y(band.start));
      const y1 = Math.min(TOP + plotH, y(band.end));
      const colour = u.faultColour(data.colours.fault, band.kind);
      root.append(u.svg('rect', { x: LEFT - 8, y: y0, width: W - LEFT, height: Math.max(1, y1 - y0), fill: colour, 'fill-opacity': 0.13 }, u.svg('title', {}, band.label)));
      root.append(u.svg('text', { x: LEFT - 12, y: y0 + 11, class: 'band-lbl', 'text-anchor': 'end', fill: colour }, band.label.length > 34 ? `${band.label.slice(0, 31)}...` : band.label));
    }
    nodes.forEach((node, k) => {
      root.append(u.svg('line', { x1: x(k), x2: x(k), y1: TOP, y2: TOP + plotH, stroke: '#1d2330', 'stroke-width': 1.5 }));
      root.append(u.svg('text', { x: x(k), y: TOP - 10, 'text-anchor': 'middle', class: 'node' }, node));
    });
    const step = u.niceStep((b - a) / 10);
    for (let t = Math.ceil(a / step) * step; t <= b; t += step) {
      root.append(u.svg('text', { x: 4, y: y(t) + 4, class: 'lbl' }, u.secs(t, b - a)));
      root.append(u.svg('line', { x1: 56, x2: W, y1: y(t), y2: y(t), stroke: '#eef0f5' }));
    }
    // Client operations beside the node they were sent to; the anomaly's first.
    const { ops } = data;
    const nodeCol = new Map(nodes.map((n, k) => [n, k]));
    const shown: number[] = [];
    for (let i = 0; i < ops.idx.length && shown.length < MAX_OPS; i++) {
      const end = ops.t1[i]! >= 0 ? ops.t1[i]! : ops.t0[i]!;
      if (anomalyRows.has(i) && end >= a && ops.t0[i]! <= b) shown.push(i);
    }
    for (let i = 0; i < ops.idx.length && shown.length < MAX_OPS; i++) {
      const end = ops.t1[i]! >= 0 ? ops.t1[i]! : ops.t0[i]!;
      if (!anomalyRows.has(i) && end >= a && ops.t0[i]! <= b) shown.push(i);
    }
    for (const i of shown) {
      const k = nodeCol.get(data.strings[ops.node[i]!] ?? '');
      if (k === undefined) continue;
      const hot = anomalyRows.has(i);
      const y0 = Math.max(TOP, y(ops.t0[i]!));
      const y1 = Math.min(TOP + plotH, ops.t1[i]! >= 0 ? y(ops.t1[i]!) : TOP + plotH);
      const colour = hot ? '#d6332a' : data.colours.outcome[ops.type[i]!]!;
      const f = data.strings[ops.f[i]!]!;
      const outcome = ops.type[i] === 0 ? (f === 'read' || f === 'get' ? ` → ${data.strings[ops.result[i]!]}` : ' ✓') : ops.type[i] === 1 ? ' ✗' : ' ?';
      const text = `p${ops.process[i]} ${f}${f === 'read' || f === 'get' ? '' : ` ${data.strings[ops.value[i]!]}`}${outcome}`;
      const g = u.svg('g', { class: hot ? 'cop hot' : 'cop' });
      g.append(u.svg('line', { x1: x(k) - 7, x2: x(k) - 7, y1: y0, y2: Math.max(y1, y0 + (hot ? 6 : 2)), stroke: colour, 'stroke-width': hot ? 4 : 2.5 }));
      if (hot || shown.length <= 12) g.append(u.svg('text', { x: x(k) - 11, y: y0 + 9, 'text-anchor': 'end', class: 'op-lbl', fill: colour }, text.length > 32 ? `${text.slice(0, 29)}...` : text));
      g.append(u.svg('title', {}, `${text} (history #${ops.idx[i]})`));
      root.append(g);
    }
    const labels = drawn.length <= 150;
    // A label only where no other is near: arrows between many pairs cross the same spot.
    const labelled = new Set<string>();
    for (const i of drawn) {
      const from = m!.from[i]!;
      const to = m!.to[i]!;
      const s = m!.sent[i];
      const r = m!.recv[i];
      const type = m!.types[m!.type[i]!] ?? '';
      const hue = m!.type[i]! % palette.length;
      const colour = palette[hue]!;
      const title = `${type} ${nodes[from]} → ${nodes[to]}: ${m!.summaries[m!.summary[i]!] ?? ''}\n` + (s !== null && s !== undefined ? `sent ${u.secs(s, 100)}` : 'send not recorded') + (r !== null && r !== undefined ? `, received ${u.secs(r, 100)}${s !== null && s !== undefined ? ` (${u.duration(r - s)})` : ''}` : m!.dropped[i] ? ', dropped by the sender' : ', never received');
      const g = u.svg('g', { class: r === null || r === undefined ? 'msg lost' : 'msg' });
      if (s !== null && s !== undefined && r !== null && r !== undefined) {
        g.append(u.svg('line', { x1: x(from), y1: y(s), x2: x(to), y2: y(r), stroke: colour, 'stroke-width': 1.2, 'marker-end': `url(#msg-arrow-${hue})` }));
        // Labelled near the sender, so a request and its reply between two nodes stay apart.
        const lx = x(from) + (x(to) - x(from)) * 0.3;
        const ly = y(s) + (y(r) - y(s)) * 0.3 - 3;
        const spot = `${Math.round(lx / 70)}:${Math.round(ly / 11)}`;
        if (labels && !labelled.has(spot)) {
          labelled.add(spot);
          g.append(u.svg('text', { x: lx, y: ly, 'text-anchor': 'middle', class: 'msg-lbl', fill: colour }, type));
        }
      } else if (s !== null && s !== undefined) {
        const ex = x(from) + (x(to) - x(from)) * 0.42;
        const ey = y(s) + 10;
        g.append(u.svg('line', { x1: x(from), y1: y(s), x2: ex, y2: ey, stroke: '#d6332a', 'stroke-width': 1.2, 'stroke-dasharray': '4 3' }));
        g.append(u.svg('path', { d: `M${ex - 4},${ey - 4} L${ex + 4},${ey + 4} M${ex - 4},${ey + 4} L${ex + 4},${ey - 4}`, stroke: '#d6332a', 'stroke-width': 1.6 }));
      } else if (r !== null && r !== undefined) {
        const sx = x(to) + (x(from) - x(to)) * 0.35;
        g.append(u.svg('line', { x1: sx, y1: y(r) - 10, x2: x(to), y2: y(r), stroke: colour, 'stroke-width': 1, 'stroke-dasharray': '1 3', 'marker-end': `url(#msg-arrow-${hue})` }));
      }
      g.append(u.svg('title', {}, title));
      root.append(g);
    }
    return root;
  }

  go.addEventListener('click', () => show(Number(fromIn.value) * 1000, Number(toIn.value) * 1000));
  fromView.addEventListener('click', () => show(view.a, view.b));
  const [a0, b0] = initialWindow();
  show(a0, b0);
  return { show };

  /**
   * Where to look first: around the anomaly's last operation (the one that could not take
   * effect, or the stale read), widened until about {@link FIRST_MESSAGES} messages are in view;
   * without an anomaly, the first fault.
   */
  function initialWindow(): [number, number] {
    const first = data.anomalies[0];
    const ops = data.ops;
    let a: number;
    let b: number;
    if (first && first.rows.length > 0) {
      const last = first.rows.reduce((p, q) => (ops.t0[q]! > ops.t0[p]! ? q : p));
      a = ops.t0[last]!;
      b = ops.t1[last]! >= 0 ? ops.t1[last]! : a + 20;
    } else {
      a = data.bands[0]?.start ?? data.start;
      b = a + 20;
    }
    const limit = Math.max(first ? first.end - first.start : 0, 1000);
    for (let grow = 5; count(a, b) < FIRST_MESSAGES && b - a < limit; grow *= 1.5) {
      a -= grow;
      b += grow;
    }
    return [a - 5, b + 5];
  }

  function count(a: number, b: number): number {
    let n = 0;
    for (let i = 0; i < m!.from.length; i++) {
      const t = m!.sent[i] ?? m!.recv[i] ?? 0;
      if (t >= a && t <= b) n++;
    }
    return n;
  }
}
