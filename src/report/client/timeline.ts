/// <reference lib="dom" />
/**
 * The timeline: one row per client process while it lives (rows are reused, see packLanes), a
 * bar per operation from invocation to completion coloured by outcome, an operation of unknown
 * outcome as a marker that fades out (it may have taken effect at any later time, or never),
 * fault intervals as bands across every row with their names above, the anomaly's operations
 * outlined. Drawn on canvas, so 100 000 operations stay fast; drag to zoom, double-click for
 * the whole run, Ctrl+wheel to zoom, Shift+wheel to pan, hover for an operation, click to find
 * it in the table. Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { Client, Links, ReportData, Timeline, View } from './types.js';

export function mountTimeline(fl: Client, data: ReportData, host: HTMLElement, view: View, links: Links, highlight: ReadonlySet<number>): Timeline {
  const u = fl.util;
  const { ops } = data;
  const GUTTER = 70;
  const HEAD = 36;
  const width = Math.max(600, host.clientWidth || 1200);
  const plotW = width - GUTTER - 8;
  const fadeMs = Math.max(200, (data.end - data.start) * 0.02);
  const lanes = fl.packLanes(data, fadeMs);
  const rowCount = Math.max(1, lanes.rows.length);
  const ROW = rowCount <= 40 ? 14 : rowCount <= 200 ? 10 : Math.max(3, Math.floor(3000 / rowCount));
  const bodyH = rowCount * ROW + 4;
  const rowT0 = lanes.rows.map((entries) => Float64Array.from(entries, (i) => ops.t0[i]!));
  const reach = ops.t0.map((t0, i) => fl.reachOf(ops.type[i]!, t0, ops.t1[i]!, fadeMs));
  const maxLen = lanes.rows.map((entries) => entries.reduce((m, i) => Math.max(m, reach[i]!), 0));
  /** Each process's life: its first invocation to the end of its last mark. */
  const life = new Map<number, { start: number; end: number }>();
  ops.process.forEach((p, i) => {
    const span = life.get(p);
    const end = ops.t0[i]! + reach[i]!;
    if (span) span.end = Math.max(span.end, end);
    else life.set(p, { start: ops.t0[i]!, end });
  });
  const colours = data.colours.outcome;
  // Where each band's label must stop: its end, or where the next band to begin does (overlapping
  // faults would print their names over each other).
  const byStart = data.bands.map((_, k) => k).sort((p, q) => data.bands[p]!.start - data.bands[q]!.start);
  const labelEnd = new Float64Array(data.bands.length);
  byStart.forEach((k, n) => {
    let next = n + 1;
    while (next < byStart.length && data.bands[byStart[next]!]!.start <= data.bands[k]!.start) next++;
    labelEnd[k] = Math.min(data.bands[k]!.end, next < byStart.length ? data.bands[byStart[next]!]!.start : Number.POSITIVE_INFINITY);
  });
  let selected = -1;

  const head = u.canvas(width, HEAD, 'tl-head');
  const body = u.canvas(width, bodyH, 'tl-body');
  const scroller = u.el('div', { class: 'tl-scroll' }, body.canvas);
  const brush = u.el('div', { class: 'brush' });
  const frame = u.el('div', { class: 'tl-frame', role: 'img' }, head.canvas, scroller, brush);
  const button = (label: string, title: string, act: () => void): HTMLButtonElement => {
    const b = u.el('button', { type: 'button', title }, label);
    b.addEventListener('click', act);
    return b;
  };
  const zoom = (k: number): void => {
    const mid = (view.a + view.b) / 2;
    view.set(mid - ((view.b - view.a) * k) / 2, mid + ((view.b - view.a) * k) / 2, 'timeline');
  };
  const pan = (k: number): void => view.set(view.a + (view.b - view.a) * k, view.b + (view.b - view.a) * k, 'timeline');
  host.append(
    u.el(
      'div',
      { class: 'controls' },
      button('whole run', 'show the whole run (or double-click the timeline)', () => view.set(data.start, data.end, 'timeline')),
      button('zoom in', 'half the window (or drag across the timeline)', () => zoom(0.5)),
      button('zoom out', 'twice the window', () => zoom(2)),
      button('◀', 'earlier', () => pan(-0.5)),
      button('▶', 'later', () => pan(0.5)),
    ),
    frame,
  );

  const x = (t: number): number => GUTTER + ((t - view.a) / (view.b - view.a)) * plotW;
  const tAt = (px: number): number => view.a + ((px - GUTTER) / plotW) * (view.b - view.a);

  function drawHead(): void {
    const ctx = head.ctx;
    ctx.clearRect(0, 0, width, HEAD);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    data.bands.forEach((band, k) => {
      if (band.end < view.a || band.start > view.b) return;
      const x0 = Math.max(GUTTER, x(band.start));
      const x1 = Math.min(width - 8, x(band.end));
      ctx.fillStyle = u.alpha(u.faultColour(data.colours.fault, band.kind), 0.55);
      ctx.fillRect(x0, 20, Math.max(1, x1 - x0), 14);
      const textEnd = Math.min(x1, x(labelEnd[k]!));
      if (textEnd - x0 > 40) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, 20, textEnd - x0, 14);
        ctx.clip();
        ctx.fillStyle = '#1d2330';
        ctx.fillText(band.label, x0 + 3, 27);
        ctx.restore();
      }
    });
    for (const a of data.anomalies) {
      const x0 = Math.max(GUTTER, x(a.start));
      const x1 = Math.min(width - 8, Math.max(x(a.end), x0 + 3));
      if (x1 < GUTTER || x0 > width) continue;
      ctx.fillStyle = '#d6332a';
      ctx.fillRect(x0, 0, x1 - x0, 3);
    }
    const step = u.niceStep((view.b - view.a) / 8);
    ctx.fillStyle = '#5b6272';
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(view.a / step) * step; t <= view.b; t += step) {
      const px = x(t);
      if (px > width - 50) break;
      ctx.fillRect(px, 13, 1, 5);
      ctx.fillText(u.secs(t, view.b - view.a), px + 2, 5);
    }
    ctx.fillText('time', 4, 5);
    ctx.fillText('faults', 4, 22);
  }

  function drawBody(): void {
    const ctx = body.ctx;
    ctx.clearRect(0, 0, width, bodyH);
    ctx.font = '10px ui-monospace, monospace';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < rowCount; r += 2) {
      ctx.fillStyle = '#f6f7fb';
      ctx.fillRect(GUTTER, r * ROW, plotW, ROW);
    }
    for (const band of data.bands) {
      if (band.end < view.a || band.start > view.b) continue;
      const x0 = Math.max(GUTTER, x(band.start));
      ctx.fillStyle = u.alpha(u.faultColour(data.colours.fault, band.kind), 0.16);
      ctx.fillRect(x0, 0, Math.max(1, Math.min(width - 8, x(band.end)) - x0), bodyH);
    }
    const marked: number[] = [];
    // One path per colour, filled once: a state change per operation would cost far more than the rectangle.
    const lines = new Path2D();
    const bars = [new Path2D(), new Path2D()];
    const unknowns: number[] = [];
    const labels: [number, number][] = [];
    lanes.rows.forEach((entries, r) => {
      const y = r * ROW + 1;
      const h = ROW - 2;
      let label = -1;
      // Bars of one outcome that touch on screen are drawn as one (zoomed out, thousands share a pixel).
      let run = { type: -1, left: 0, right: 0 };
      const flush = (): void => {
        if (run.type >= 0) bars[run.type]!.rect(run.left, y, run.right - run.left, h);
      };
      for (let k = u.lowerBound(rowT0[r]!, view.a - maxLen[r]!); k < entries.length; k++) {
        const i = entries[k]!;
        const t0 = ops.t0[i]!;
        if (t0 > view.b) break;
        const x1 = x(t0 + reach[i]!);
        if (x1 < GUTTER) continue;
        if (label < 0) label = ops.process[i]!;
        const unknown = ops.type[i]! >= 2;
        if (highlight.has(i) || i === selected) marked.push(i);
        if (unknown) unknowns.push(i);
        else {
          const left = Math.max(GUTTER, x(t0));
          const right = left + Math.max(1.5, Math.min(width - 8, x1) - left);
          if (run.type === ops.type[i] && left <= run.right + 0.5) run.right = Math.max(run.right, right);
          else {
            flush();
            run = { type: ops.type[i]!, left, right };
          }
        }
      }
      flush();
      if (label >= 0) labels.push([r, label]);
      // A lane line per process, for as long as it lived: short when the process ended early.
      for (const p of lanes.processes[r]!) {
        const span = life.get(p)!;
        if (span.end < view.a || span.start > view.b) continue;
        const left = Math.max(GUTTER, x(span.start));
        lines.rect(left, y + h / 2, Math.max(0, Math.min(width - 8, x(span.end)) - left), 1);
      }
    });
    ctx.fillStyle = '#c9ccd8';
    ctx.fill(lines);
    bars.forEach((path, type) => {
      ctx.fillStyle = colours[type]!;
      ctx.fill(path);
    });
    // Unknown outcome: solid at the invocation, fading to nothing (a gradient each, while they are few).
    const fancy = unknowns.length <= 3000;
    for (const i of unknowns) {
      const y = lanes.rowOf[i]! * ROW + 1;
      const x0 = x(ops.t0[i]!);
      const x1 = Math.max(x(ops.t0[i]! + reach[i]!), x0 + 1);
      const left = Math.max(GUTTER, x0);
      const colour = colours[ops.type[i]!]!;
      if (fancy) {
        const grad = ctx.createLinearGradient(x0, 0, x1, 0);
        grad.addColorStop(0, u.alpha(colour, 0.95));
        grad.addColorStop(1, u.alpha(colour, 0));
        ctx.fillStyle = grad;
      } else {
        ctx.fillStyle = u.alpha(colour, 0.35);
      }
      ctx.fillRect(left, y + 1, Math.max(1, Math.min(width - 8, x1) - left), ROW - 4);
      ctx.fillStyle = colour;
      ctx.fillRect(left, y, 2, ROW - 2);
    }
    // Each row's process at the left edge of the view (a row hosts one process at a time).
    if (ROW >= 9) {
      ctx.fillStyle = '#5b6272';
      for (const [r, p] of labels) ctx.fillText(`p${p}`, 3, r * ROW + ROW / 2);
    }
    for (const i of marked) {
      const r = lanes.rowOf[i]!;
      const x0 = Math.max(GUTTER, x(ops.t0[i]!));
      const x1 = Math.max(x0 + 3, Math.min(width - 8, x(ops.t0[i]! + reach[i]!)));
      ctx.lineWidth = 2;
      ctx.strokeStyle = i === selected ? '#1b6ef3' : '#000';
      ctx.strokeRect(x0 - 1, r * ROW, x1 - x0 + 2, ROW);
    }
  }

  function draw(): void {
    drawHead();
    drawBody();
    const bands = data.bands.filter((b) => b.end >= view.a && b.start <= view.b).length;
    const marked = [...highlight].filter((i) => ops.t0[i]! <= view.b && ops.t0[i]! + reach[i]! >= view.a).length;
    frame.setAttribute('aria-label', `timeline from ${u.secs(view.a)} to ${u.secs(view.b)}: ${ops.idx.length} operations in ${rowCount} rows, ${bands} fault bands, ${marked} operations of the anomaly outlined`);
    frame.dataset.bands = String(bands);
    frame.dataset.outlined = String(marked);
  }

  /** The operation under the pointer at body coordinates, or -1. */
  function hit(px: number, py: number): number {
    const r = Math.floor(py / ROW);
    const entries = lanes.rows[r];
    if (!entries || px < GUTTER) return -1;
    const t = tAt(px);
    const slack = ((view.b - view.a) / plotW) * 3;
    let best = -1;
    for (let k = Math.max(0, u.lowerBound(rowT0[r]!, t - maxLen[r]! - slack)); k < entries.length; k++) {
      const i = entries[k]!;
      if (ops.t0[i]! > t + slack) break;
      const end = ops.t0[i]! + reach[i]!;
      if (t >= ops.t0[i]! - slack && t <= end + slack) best = i;
    }
    return best;
  }

  function describe(i: number): string[] {
    const s = data.strings;
    const key = ops.key[i]! >= 0 ? ` [${s[ops.key[i]!]}]` : '';
    const outcome = ['ok', 'fail', 'info (unknown outcome)', 'no completion'][ops.type[i]!]!;
    const arg = s[ops.value[i]!] === 'null' ? '' : ` ${s[ops.value[i]!]}`;
    const lines = [`p${ops.process[i]} ${s[ops.f[i]!]}${key}${arg}`, `→ ${outcome}${ops.t1[i]! >= 0 && ops.type[i] !== 2 ? ` ${s[ops.result[i]!]}` : ''}`];
    if (ops.error[i]! >= 0) lines.push(`error: ${s[ops.error[i]!]}`);
    const span = ops.t1[i]! >= 0 ? `${u.secs(ops.t0[i]!, 1000)} → ${u.secs(ops.t1[i]!, 1000)} (${u.duration(ops.t1[i]! - ops.t0[i]!)})` : `from ${u.secs(ops.t0[i]!, 1000)}`;
    lines.push(span, `history #${ops.idx[i]}${ops.cidx[i]! >= 0 ? `..#${ops.cidx[i]}` : ''}${ops.node[i]! >= 0 ? ` · node ${s[ops.node[i]!]}` : ''}`);
    return lines;
  }

  let dragFrom: number | undefined;
  const local = (ev: MouseEvent): { px: number; py: number } => {
    const rect = body.canvas.getBoundingClientRect();
    return { px: ev.clientX - rect.left, py: ev.clientY - rect.top };
  };
  frame.addEventListener('mousedown', (ev) => {
    if (ev.button !== 0) return;
    dragFrom = ev.clientX - frame.getBoundingClientRect().left;
    ev.preventDefault();
  });
  window.addEventListener('mousemove', (ev) => {
    if (dragFrom === undefined) return;
    const now = ev.clientX - frame.getBoundingClientRect().left;
    brush.style.display = 'block';
    brush.style.left = `${Math.min(dragFrom, now)}px`;
    brush.style.width = `${Math.abs(now - dragFrom)}px`;
  });
  window.addEventListener('mouseup', (ev) => {
    if (dragFrom === undefined) return;
    const now = ev.clientX - frame.getBoundingClientRect().left;
    const start = dragFrom;
    dragFrom = undefined;
    brush.style.display = 'none';
    if (Math.abs(now - start) > 4) {
      view.set(tAt(Math.min(start, now)), tAt(Math.max(start, now)), 'timeline');
    } else if (ev.target === body.canvas) {
      const { px, py } = local(ev);
      const i = hit(px, py);
      if (i >= 0) links.selectOp(i, 'timeline');
    }
  });
  frame.addEventListener('dblclick', () => view.set(data.start, data.end, 'timeline'));
  frame.addEventListener('wheel', (ev) => {
    if (!ev.ctrlKey && !ev.shiftKey && !ev.metaKey) return;
    ev.preventDefault();
    const span = view.b - view.a;
    if (ev.shiftKey) {
      const shift = (Math.sign(ev.deltaY || ev.deltaX) * span) / 10;
      view.set(view.a + shift, view.b + shift, 'timeline');
      return;
    }
    const t = tAt(ev.clientX - frame.getBoundingClientRect().left);
    const k = ev.deltaY > 0 ? 1.25 : 0.8;
    view.set(t - (t - view.a) * k, t + (view.b - t) * k, 'timeline');
  }, { passive: false });
  body.canvas.addEventListener('mousemove', (ev) => {
    const { px, py } = local(ev);
    const i = dragFrom === undefined ? hit(px, py) : -1;
    if (i < 0) u.hideTip();
    else u.showTip(ev.pageX, ev.pageY, describe(i));
    body.canvas.style.cursor = i >= 0 ? 'pointer' : 'crosshair';
  });
  body.canvas.addEventListener('mouseleave', () => u.hideTip());

  view.listen(draw);
  links.onSelectOp((i) => {
    selected = i;
    draw();
  });
  draw();

  return {
    scrollToRows(rows: readonly number[]): void {
      if (rows.length === 0) return;
      const top = rows.reduce((m, i) => Math.min(m, lanes.rowOf[i]!), rowCount) * ROW;
      scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
    },
  };
}
