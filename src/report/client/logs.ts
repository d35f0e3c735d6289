/// <reference lib="dom" />
/**
 * Node logs in the report: a tab per node, a search box, and each fault's time marked among the
 * lines (by the lines' own timestamps, placed on the history's time axis), with a link to the
 * whole file beside the report. Clicking a timestamped line or a fault centres the timeline
 * there. Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { Client, ReportData, View } from './types.js';

export function mountLogs(fl: Client, data: ReportData, host: HTMLElement, view: View): void {
  const u = fl.util;
  if (data.logs.length === 0) {
    host.append(u.el('p', { class: 'meta' }, 'No node logs in this run directory.'));
    return;
  }
  const MAX_LINES = 4000;
  const tabs = u.el('div', { class: 'tabs', role: 'tablist' });
  const search = u.el('input', { type: 'search', placeholder: 'search this log (case-insensitive)', class: 'search', 'aria-label': 'search the log' });
  const inView = u.el('input', { type: 'checkbox', id: 'log-in-view' });
  const file = u.el('a', { class: 'file' });
  const status = u.el('span', { class: 'meta' });
  const box = u.el('div', { class: 'log-box', tabindex: 0 });
  host.append(tabs, u.el('div', { class: 'controls' }, search, u.el('label', { for: 'log-in-view' }, inView, " only the timeline's window"), file, status), box);
  let current = 0;

  const centre = (t: number): void => {
    const half = Math.max(500, (view.b - view.a) / 2);
    view.set(t - half, t + half, 'logs');
    document.getElementById('timeline')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  function render(): void {
    const log = data.logs[current]!;
    file.textContent = log.file;
    file.setAttribute('href', log.file);
    const needle = search.value.trim().toLowerCase();
    const windowOnly = inView.checked;
    const rows: HTMLElement[] = [];
    let matched = 0;
    let fault = 0;
    let last: number | null = null;
    const faultRow = (k: number): HTMLElement => {
      const f = data.faultOps[k]!;
      const row = u.el('div', { class: 'log-fault' }, u.el('span', { class: 't' }, (f.t / 1000).toFixed(3)), `⚡ ${f.text}${f.error ? ` (failed: ${f.error})` : ''}`);
      row.addEventListener('click', () => centre(f.t));
      return row;
    };
    const inWindow = (t: number | null): boolean => !windowOnly || (t !== null && t >= view.a && t <= view.b);
    for (let i = 0; i < log.lines.length; i++) {
      const t = log.times[i] ?? null;
      if (t !== null) {
        while (fault < data.faultOps.length && data.faultOps[fault]!.t <= t) {
          if (inWindow(data.faultOps[fault]!.t) && rows.length < MAX_LINES) rows.push(faultRow(fault));
          fault++;
        }
        last = t;
      }
      const line = log.lines[i]!;
      if (needle && !line.toLowerCase().includes(needle)) continue;
      if (!inWindow(t ?? last)) continue;
      matched++;
      if (rows.length >= MAX_LINES) continue;
      const row = u.el('div', { class: 'log-line' }, u.el('span', { class: 't' }, t === null ? '' : (t / 1000).toFixed(3)), line);
      if (t !== null) row.addEventListener('click', () => centre(t));
      rows.push(row);
    }
    for (; fault < data.faultOps.length && rows.length < MAX_LINES; fault++) if (inWindow(data.faultOps[fault]!.t)) rows.push(faultRow(fault));
    const frag = document.createDocumentFragment();
    for (const row of rows) frag.append(row);
    box.replaceChildren(frag);
    status.textContent = `${matched.toLocaleString('en')} of ${log.lines.length.toLocaleString('en')} lines${matched > MAX_LINES ? `; the first ${MAX_LINES} shown` : ''}${log.omittedBytes > 0 ? `; ${log.omittedBytes.toLocaleString('en')} bytes of the middle of the file left out of the report` : ''}`;
  }

  data.logs.forEach((log, k) => {
    const tab = u.el('button', { type: 'button', role: 'tab', class: k === 0 ? 'tab on' : 'tab' }, log.node);
    tab.addEventListener('click', () => {
      current = k;
      for (const t of Array.from(tabs.children)) t.classList.toggle('on', t === tab);
      render();
    });
    tabs.append(tab);
  });
  let pending: number | undefined;
  search.addEventListener('input', () => {
    clearTimeout(pending);
    pending = window.setTimeout(render, 120);
  });
  inView.addEventListener('change', render);
  view.listen(() => {
    if (inView.checked) render();
  });
  render();
}
