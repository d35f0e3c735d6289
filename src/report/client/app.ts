/// <reference lib="dom" />
/**
 * The page script's entry: mounts every view on the run's data and ties them together: one
 * time window shared by the timeline and the plots, one selected operation shared by the
 * anomaly drawings, the timeline, the explanation's `#n` links and the table. Each part is
 * mounted on its own, so one that fails says so in its place and the rest still render.
 * Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { Client, Links, ReportData, View } from './types.js';

export function main(fl: Client, data: ReportData): void {
  const u = fl.util;
  const byId = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
  const listeners: ((a: number, b: number, from?: string) => void)[] = [];
  const view: View = {
    a: data.start,
    b: data.end,
    set(a, b, from) {
      const min = 0.05;
      let lo = Math.max(data.start - (data.end - data.start) * 0.05, Math.min(a, b));
      let hi = Math.min(data.end + (data.end - data.start) * 0.05, Math.max(a, b));
      if (hi - lo < min) {
        const mid = (lo + hi) / 2;
        lo = mid - min / 2;
        hi = mid + min / 2;
      }
      if (lo === view.a && hi === view.b) return;
      view.a = lo;
      view.b = hi;
      for (const fn of listeners) fn(lo, hi, from);
    },
    listen(fn) {
      listeners.push(fn);
    },
  };
  const selectListeners: ((row: number, from?: string) => void)[] = [];
  const rowOfIndex = new Map<number, number>();
  for (let i = 0; i < data.ops.idx.length; i++) {
    rowOfIndex.set(data.ops.idx[i]!, i);
    if (data.ops.cidx[i]! >= 0) rowOfIndex.set(data.ops.cidx[i]!, i);
  }
  let messages: { show(a: number, b: number): void } | undefined;
  const links: Links = {
    selectOp(row, from) {
      for (const fn of selectListeners) fn(row, from);
    },
    onSelectOp(fn) {
      selectListeners.push(fn);
    },
    showMessages(a, b) {
      messages?.show(a, b);
      byId('messages').scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
  };
  const highlight = new Set(data.anomalies.flatMap((a) => a.rows));

  /** Milliseconds each part took to mount, for `npm run bench` and the curious (`data-timings` on <body>). */
  const timings: Record<string, number> = {};

  /** Mount one part; a failure is shown in its place (and logged), never stops the others. */
  function part<T>(id: string, mount: (host: HTMLElement) => T): T | undefined {
    const host = byId(id);
    if (!host) return undefined;
    const t0 = performance.now();
    try {
      return mount(host);
    } catch (err) {
      console.error(`report: ${id} failed`, err);
      host.append(u.el('p', { class: 'bad' }, `This part could not be drawn: ${err instanceof Error ? err.message : String(err)}`));
      return undefined;
    } finally {
      timings[id] = Math.round(performance.now() - t0);
    }
  }

  const timeline = part('timeline-box', (host) => fl.mountTimeline(fl, data, host, view, links, highlight));
  part('plots-box', (host) => fl.mountPlots(fl, data, host, view));
  messages = part('messages-box', (host) => fl.mountMessages(fl, data, host, view));
  part('logs-box', (host) => fl.mountLogs(fl, data, host, view));
  part('ops-box', (host) => fl.mountOpsTable(fl, data, host, links, highlight));

  data.anomalies.forEach((anomaly, k) => {
    part(`anomaly-${k}`, (host) => {
      const drawing = anomaly.cycle && anomaly.cycle.length > 0 ? fl.drawCycle(fl, data, anomaly, links) : fl.drawWindow(fl, data, anomaly, links);
      host.querySelector('.drawing')?.append(drawing);
      const pad = Math.max((anomaly.end - anomaly.start) * 0.5, 50);
      host.querySelector('.show-timeline')?.addEventListener('click', () => {
        view.set(anomaly.start - pad, anomaly.end + pad, 'anomaly');
        byId('timeline').scrollIntoView({ behavior: 'smooth', block: 'start' });
        timeline?.scrollToRows(anomaly.rows);
      });
      host.querySelector('.show-messages')?.addEventListener('click', () => links.showMessages(anomaly.start - pad, anomaly.end + pad));
    });
  });

  // `#n` in explanations and `#op-n` addresses select history entry n.
  const go = (index: number): void => {
    const row = rowOfIndex.get(index);
    if (row === undefined) return;
    links.selectOp(row, 'link');
    byId('operations').scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  document.addEventListener('click', (ev) => {
    const a = (ev.target as Element).closest?.('a[data-op]');
    if (!a) return;
    ev.preventDefault();
    go(Number(a.getAttribute('data-op')));
  });
  const fromHash = (): void => {
    const m = /^#op-(\d+)$/.exec(location.hash);
    if (m) go(Number(m[1]));
  };
  window.addEventListener('hashchange', fromHash);
  fromHash();
  if (data.anomalies[0]) timeline?.scrollToRows(data.anomalies[0].rows);
  document.body.setAttribute('data-timings', JSON.stringify(timings));
  document.body.setAttribute('data-rendered', String(Math.round(performance.now())));
}
