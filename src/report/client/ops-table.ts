/// <reference lib="dom" />
/**
 * Every client operation in one table (an invocation and its completion per row), filterable,
 * drawn a screenful at a time so a history of any length scrolls smoothly. The anomaly's rows
 * are highlighted; selecting an operation anywhere on the page scrolls the table to it.
 * Self-contained (shipped as source text, see ../client-bundle.ts).
 */
import type { Client, Links, ReportData } from './types.js';

export function mountOpsTable(fl: Client, data: ReportData, host: HTMLElement, links: Links, highlight: ReadonlySet<number>): void {
  const u = fl.util;
  const { ops, strings } = data;
  const n = ops.idx.length;
  const RH = 20;
  const OUTCOMES = ['ok', 'fail', 'info', '—'];
  const filter = u.el('input', { type: 'search', class: 'search', placeholder: 'filter: any text, e.g. "p12", "cas", "info", "n3", "timed out"', 'aria-label': 'filter operations' });
  const count = u.el('span', { class: 'meta' });
  const head = u.el('div', { class: 'op-row op-head' }, ...['#', 'start (s)', 'latency', 'process', 'f', 'key', 'value', 'outcome', 'result', 'node', 'error'].map((h) => u.el('span', {}, h)));
  const spacer = u.el('div', { class: 'op-spacer' });
  const box = u.el('div', { class: 'op-box', tabindex: 0 }, spacer);
  host.append(u.el('div', { class: 'controls' }, filter, count), head, box);
  let visible: number[] = Array.from({ length: n }, (_, i) => i);
  let selected = -1;
  const texts: (string | undefined)[] = new Array<string | undefined>(n);

  const s = (k: number): string => (k >= 0 ? strings[k]! : '');
  const textOf = (i: number): string =>
    (texts[i] ??= [`#${ops.idx[i]}`, `p${ops.process[i]}`, s(ops.f[i]!), s(ops.key[i]!), s(ops.value[i]!), OUTCOMES[ops.type[i]!], s(ops.result[i]!), s(ops.node[i]!), s(ops.error[i]!)].join(' ').toLowerCase());

  function row(i: number, at: number): HTMLElement {
    const latency = ops.t1[i]! >= 0 ? u.duration(ops.t1[i]! - ops.t0[i]!) : '';
    const cells = [
      `${ops.idx[i]}`,
      (ops.t0[i]! / 1000).toFixed(3),
      latency,
      `p${ops.process[i]}`,
      s(ops.f[i]!),
      s(ops.key[i]!),
      s(ops.value[i]!),
      OUTCOMES[ops.type[i]!]!,
      ops.type[i] === 0 || ops.type[i] === 1 ? s(ops.result[i]!) : '',
      s(ops.node[i]!),
      s(ops.error[i]!),
    ];
    const cls = `op-row o${ops.type[i]}${highlight.has(i) ? ' hl' : ''}${i === selected ? ' sel' : ''}`;
    const el = u.el('div', { class: cls, id: `row-${ops.idx[i]}`, 'data-row': i }, ...cells.map((c) => u.el('span', { title: c }, c)));
    el.style.top = `${at * RH}px`;
    el.addEventListener('click', () => links.selectOp(i, 'table'));
    return el;
  }

  function paint(): void {
    spacer.style.height = `${visible.length * RH}px`;
    const first = Math.max(0, Math.floor(box.scrollTop / RH) - 5);
    const last = Math.min(visible.length, first + Math.ceil((box.clientHeight || 420) / RH) + 10);
    const frag = document.createDocumentFragment();
    for (let k = first; k < last; k++) frag.append(row(visible[k]!, k));
    spacer.replaceChildren(frag);
  }

  function apply(): void {
    const needle = filter.value.trim().toLowerCase();
    visible = [];
    for (let i = 0; i < n; i++) if (!needle || textOf(i).includes(needle)) visible.push(i);
    count.textContent = `${visible.length.toLocaleString('en')} of ${n.toLocaleString('en')} operations`;
    paint();
  }

  let pending: number | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(pending);
    pending = window.setTimeout(apply, 150);
  });
  box.addEventListener('scroll', () => paint(), { passive: true });
  links.onSelectOp((i, from) => {
    selected = i;
    let at = u.lowerBound(visible, i);
    if (visible[at] !== i) {
      filter.value = '';
      apply();
      at = i;
    }
    if (from !== 'table') box.scrollTop = Math.max(0, at * RH - (box.clientHeight || 420) / 3);
    paint();
  });
  apply();
  // Start at the anomaly's first operation, a few rows of context above it.
  let first = n;
  for (const i of highlight) first = Math.min(first, i);
  if (first < n) {
    box.scrollTop = Math.max(0, (first - 3) * RH);
    paint();
  }
}
