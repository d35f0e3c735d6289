/// <reference lib="dom" />
/**
 * The plots over time, as Jepsen's perf graphs, drawn with uPlot (bundled into the page): the
 * latency of every operation by type (points, log scale) with its p50, p95 and p99 per time
 * bucket, and the throughput of ok, fail and info completions per second; both with the fault
 * bands behind them and the anomaly's time marked. Their time axis follows the timeline's
 * window (drag on a plot to zoom everything, double-click for the whole run). Self-contained
 * (shipped as source text, see ../client-bundle.ts).
 */
import type uPlot from 'uplot';
import type { Client, Plots, ReportData, View } from './types.js';

export function mountPlots(fl: Client, data: ReportData, host: HTMLElement, view: View): Plots {
  const u = fl.util;
  const UPlot = fl.uPlot;
  const width = Math.max(600, host.clientWidth || 1200);
  const span = Math.max(1, data.end - data.start);
  let syncing = false;

  /** Fault bands behind the series, and the anomalies' windows as red strips on top. */
  const drawBands = (p: uPlot): void => {
    const { ctx } = p;
    const { left, top, width: w, height } = p.bbox;
    ctx.save();
    for (const band of data.bands) {
      const x0 = Math.max(left, p.valToPos(band.start, 'x', true));
      const x1 = Math.min(left + w, p.valToPos(band.end, 'x', true));
      if (x1 <= x0) continue;
      ctx.fillStyle = u.alpha(u.faultColour(data.colours.fault, band.kind), 0.16);
      ctx.fillRect(x0, top, x1 - x0, height);
    }
    ctx.restore();
  };
  const drawAnomalies = (p: uPlot): void => {
    const { ctx } = p;
    const { left, top, width: w } = p.bbox;
    ctx.save();
    ctx.fillStyle = '#d6332a';
    for (const a of data.anomalies) {
      const x0 = Math.max(left, p.valToPos(a.start, 'x', true));
      const x1 = Math.min(left + w, Math.max(p.valToPos(a.end, 'x', true), x0 + 3));
      if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, 4 * (window.devicePixelRatio || 1));
    }
    ctx.restore();
  };
  /**
   * The latency points: a small square per operation, one path per series. uPlot's own points
   * are circles drawn one by one, which takes seconds for 100 000 of them.
   */
  /** Latency series drawn as points, by index, with their colour. */
  const pointSeries = new Map<number, string>();
  const drawPoints = (p: uPlot): void => {
    const { ctx } = p;
    const { left, top, width: w, height } = p.bbox;
    const xs = p.data[0] as number[];
    const size = 3 * (window.devicePixelRatio || 1);
    const from = u.lowerBound(xs, p.scales.x!.min ?? -Infinity);
    const to = u.lowerBound(xs, p.scales.x!.max ?? Infinity);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, w, height);
    ctx.clip();
    // The scales' transforms inlined (x linear, y log 10): a method call per point costs more than the point.
    const x0 = p.scales.x!.min!;
    const xk = w / (p.scales.x!.max! - x0);
    const y0 = Math.log10(p.scales.y!.min!);
    const yk = height / (Math.log10(p.scales.y!.max!) - y0);
    p.series.forEach((series, k) => {
      const colour = pointSeries.get(k);
      if (colour === undefined || series.show === false) return;
      const ys = p.data[k] as (number | null)[];
      const path = new Path2D();
      for (let i = from; i < to; i++) {
        const y = ys[i];
        if (y === null || y === undefined) continue;
        path.rect(left + (xs[i]! - x0) * xk - size / 2, top + height - (Math.log10(y) - y0) * yk - size / 2, size, size);
      }
      ctx.fillStyle = colour;
      ctx.fill(path);
    });
    ctx.restore();
  };
  const follow = (p: uPlot): void => {
    if (syncing) return;
    const { min, max } = p.scales.x!;
    if (min !== undefined && max !== undefined && (min !== view.a || max !== view.b)) view.set(min, max, 'plot');
  };
  const select = (p: uPlot): void => {
    if (p.select.width > 4) view.set(p.posToVal(p.select.left, 'x'), p.posToVal(p.select.left + p.select.width, 'x'), 'plot');
    p.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  };
  const xAxis: uPlot.Axis = { values: (_p, ticks) => ticks.map((t) => u.secs(t, view.b - view.a)) };
  const common = (title: string, height: number, draw: ((p: uPlot) => void)[]): Partial<uPlot.Options> => ({
    title,
    width,
    height,
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: { drawClear: [drawBands], draw: [...draw, drawAnomalies], setSelect: [select], setScale: [(p, key) => key === 'x' && follow(p)] },
  });

  const bucket = u.niceStep(span / 60);
  const lat = fl.latencyTable(data, bucket);
  const colourOf = new Map<number, string>();
  lat.series.forEach((s) => {
    if (s.q === undefined && s.f >= 0) colourOf.set(s.f, data.colours.f[colourOf.size % data.colours.f.length]!);
  });
  const timeSeries: uPlot.Series = { label: 'time', value: (_p, v) => (v === null ? '' : u.secs(v, 1000)) };
  const latSeries: uPlot.Series[] = [
    timeSeries,
    ...lat.series.map((s, k): uPlot.Series => {
      const stroke = s.f < 0 ? '#c98a00' : colourOf.get(s.f)!;
      if (s.q === undefined) {
        // Points are drawn by drawPoints, in one path per series.
        pointSeries.set(k + 1, u.alpha(stroke, 0.55));
        return { label: s.label, stroke, paths: () => null, points: { show: false }, value: (_p, v) => (v === null ? '' : u.duration(v)) };
      }
      const dash = s.q === 0.5 ? undefined : s.q === 0.95 ? [6, 3] : [2, 3];
      return { label: s.label, stroke, width: s.q === 0.5 ? 2 : 1.4, spanGaps: true, points: { show: false }, value: (_p, v) => (v === null ? '' : u.duration(v)), ...(dash && { dash }) };
    }),
  ];
  const latencyHost = u.el('div', { class: 'plot', id: 'latency-plot' });
  const throughputHost = u.el('div', { class: 'plot', id: 'throughput-plot' });
  host.append(latencyHost, throughputHost);
  const latency = new UPlot(
    {
      ...common(`Latency by operation (points; p50 solid, p95 dashed, p99 dotted per ${u.secs(bucket, bucket * 10)} bucket)`, 300, [drawPoints]),
      scales: { x: { time: false, min: view.a, max: view.b }, y: { distr: 3, log: 10 } },
      // Log scale: label the powers of ten only, so the minor ticks do not crowd the axis.
      axes: [xAxis, { values: (_p, ticks) => ticks.map((t) => (Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9 ? u.duration(t).replace(/\.0+(?= )/, '') : '')), size: 70, label: 'latency' }],
      series: latSeries,
    } as uPlot.Options,
    lat.table as uPlot.AlignedData,
    latencyHost,
  );

  const perS = Math.max(1000, u.niceStep(span / 200));
  const tput = fl.throughputTable(data, perS);
  const stepped = UPlot.paths.stepped!({ align: 1 });
  const outcome = (label: string, colour: string): uPlot.Series => ({
    label,
    stroke: colour,
    fill: u.alpha(colour, 0.12),
    width: 1.5,
    paths: stepped,
    points: { show: false },
    value: (_p, v) => (v === null ? '' : `${Math.round(v)}/s`),
  });
  const throughput = new UPlot(
    {
      ...common(`Throughput: completions per second (${u.secs(perS, perS * 10)} buckets)`, 220, []),
      scales: { x: { time: false, min: view.a, max: view.b }, y: { range: (_p, _min, max) => [0, Math.max(1, max * 1.08)] } },
      axes: [xAxis, { size: 60, label: 'completions / s' }],
      series: [timeSeries, outcome('ok', data.colours.outcome[0]!), outcome('fail', data.colours.outcome[1]!), outcome('info', data.colours.outcome[2]!)],
    } as uPlot.Options,
    tput as uPlot.AlignedData,
    throughputHost,
  );

  view.listen((a, b) => {
    syncing = true;
    try {
      for (const p of [latency, throughput]) p.setScale('x', { min: a, max: b });
    } finally {
      syncing = false;
    }
  });
  return { latency, throughput };
}
