/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts from anywhere) with the
 * verdict, how to repeat the run, the anomaly drawn as a small timeline, a timeline of the
 * whole run with fault bands, the fault log, and the operations.
 */
import type { Op } from '../api/op.js';
import type { RunResults } from '../runner/results.js';
import { pairOps } from '../history/pairs.js';
import { escapeXml as esc } from './escape.js';
import { describeFault } from './fault-text.js';
import { faultBands, timelineSvg } from './timeline-svg.js';
import { REPORT_CSS } from './report-css.js';

/** The operations and fault tables stop here; the full history is history.jsonl beside the report. */
const MAX_TABLE_ROWS = 5000;

export function renderReport(results: RunResults, ops: readonly Op[]): string {
  const spec = results.spec;
  const anomalyIndices = new Set<number>();
  for (const r of Object.values(results.checkers)) for (const a of r.anomalies ?? []) for (const op of a.ops) anomalyIndices.add(op.index);
  const endNs = ops.length > 0 ? (ops[ops.length - 1] as Op).time : 0;
  const bands = faultBands(ops, endNs);
  const faults = ops.filter((op) => op.process === 'nemesis' && op.type !== 'invoke');
  const badge = verdictBadge(results.valid);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline ${esc(results.name)}: ${results.valid === true ? 'valid' : results.valid === false ? 'INVALID' : 'unknown'}</title>
<style>${REPORT_CSS}</style></head><body>
<header>
  <h1>${badge} ${esc(results.name)}</h1>
  <p class="meta">${esc(spec.cluster)} × ${esc(spec.workload)} · nemesis: ${esc(spec.nemeses.join(', ') || 'none')}${spec.bugs.length ? ` · <span class="bug">bugs: ${esc(spec.bugs.join(', '))}</span>` : ''} · ${spec.nodes.length} nodes · ${spec.concurrency} clients · seed ${spec.seed} · ${results.durationS} s · faultline ${esc(results.faultline)} · ${esc(results.startedAt)}</p>
  <p class="meta">repeat: <code>${esc(results.command)}</code></p>
</header>
<section id="summary"><h2>Summary</h2>
  <table class="kv">
    <tr><th>operations</th><td>${results.ops.invoke} invoked: ${results.ops.ok} ok, ${results.ops.fail} fail, ${results.ops.info} info</td></tr>
    <tr><th>network control</th><td>${esc(results.net)}</td></tr>
    ${results.clusterStartS !== undefined ? `<tr><th>cluster ready after</th><td>${results.clusterStartS} s</td></tr>` : ''}
    ${results.error ? `<tr><th>harness error</th><td class="bad">${esc(results.error)}</td></tr>` : ''}
    ${results.interrupted ? `<tr><th>interrupted</th><td>yes: the history is partial</td></tr>` : ''}
    ${results.warnings.map((w) => `<tr><th>warning</th><td>${esc(w)}</td></tr>`).join('')}
  </table>
</section>
<section id="checkers"><h2>Checkers</h2>
${Object.entries(results.checkers)
  .map(([name, r]) => {
    const anomalies = (r.anomalies ?? [])
      .map(
        (a) => `<div class="anomaly"><h3>Anomaly: ${esc(a.kind)}${a.key !== undefined ? ` on key ${esc(a.key)}` : ''}</h3>
<p>${esc(a.summary)}</p><pre>${esc(a.explanation)}</pre>
${timelineSvg(pairOps(a.ops), { highlight: anomalyIndices, bands: [], width: 900 })}</div>`,
      )
      .join('\n');
    return `<div class="checker"><h3>${verdictBadge(r.valid)} ${esc(name)}</h3><p>${esc(r.summary)}</p>${anomalies}</div>`;
  })
  .join('\n')}
</section>
<section id="timeline"><h2>Timeline</h2>
<p class="meta">One lane per client process; bars run from invocation to completion (<span class="ok">ok</span>, <span class="fail">fail</span>, <span class="info">info</span>); shaded bands are faults.</p>
${timelineSvg(pairOps(ops.filter((op) => op.process !== 'nemesis')), { highlight: anomalyIndices, bands, width: 1200, endNs })}
</section>
<section id="faults"><h2>Faults</h2>
${faults.length > MAX_TABLE_ROWS ? `<p class="meta">First ${MAX_TABLE_ROWS} of ${faults.length} fault operations; the whole history is history.jsonl beside this report.</p>` : ''}
<table class="ops"><thead><tr><th>time (s)</th><th>operation</th><th>error</th></tr></thead><tbody>
${faults
  .slice(0, MAX_TABLE_ROWS)
  .map((op) => `<tr><td>${(op.time / 1e9).toFixed(3)}</td><td>${esc(describeFault(op.f, op.value))}</td><td>${esc(op.error ?? '')}</td></tr>`)
  .join('\n')}
</tbody></table></section>
<section id="operations"><h2>Operations</h2>
${ops.length > MAX_TABLE_ROWS ? `<p class="meta">First ${MAX_TABLE_ROWS} of ${ops.length} operations; the whole history is history.jsonl beside this report.</p>` : ''}
<table class="ops"><thead><tr><th>#</th><th>time (s)</th><th>process</th><th>type</th><th>f</th><th>key</th><th>value</th><th>node</th><th>error</th></tr></thead><tbody>
${ops
  .slice(0, MAX_TABLE_ROWS)
  .map(
    (op) =>
      `<tr class="${op.type}${anomalyIndices.has(op.index) ? ' hl' : ''}" id="op-${op.index}"><td>${op.index}</td><td>${(op.time / 1e9).toFixed(3)}</td><td>${esc(String(op.process))}</td><td>${op.type}</td><td>${esc(op.f)}</td><td>${esc(op.key ?? '')}</td><td>${esc(JSON.stringify(op.value) ?? '')}</td><td>${esc(op.node ?? '')}</td><td>${esc(op.error ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table></section>
</body></html>
`;
}

function verdictBadge(valid: boolean | 'unknown'): string {
  if (valid === true) return '<span class="badge valid">VALID</span>';
  if (valid === false) return '<span class="badge invalid">INVALID</span>';
  return '<span class="badge unknown">UNKNOWN</span>';
}
