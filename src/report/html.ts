/**
 * report.html: one self-contained page (styles, data, chart library and script inline; nothing
 * loaded from anywhere) rebuilt from a run's files alone. The header, the verdicts, the
 * anomalies' explanations and the fault log are plain HTML, readable without scripts; the
 * timeline, the plots, the anomaly drawings, the message diagram, the logs and the table of
 * operations are drawn by the page's script (./client/) from the data embedded as JSON.
 */
import type { Validity } from '../api/checker.js';
import type { Op } from '../api/op.js';
import type { RunFiles } from '../results/run-files.js';
import type { RunResults } from '../results/schema.js';
import { chartLibrary, clientScript, DATA_ELEMENT_ID, jsonForScript, scriptSafe } from './client-bundle.js';
import { escapeXml as esc } from './escape.js';
import { plural } from './fault-text.js';
import { REPORT_CSS } from './report-css.js';
import { buildReportData, COLOURS } from './report-data.js';

export interface ReportInput extends Partial<RunFiles> {
  results: RunResults;
  /** The history, as read back from history.jsonl. */
  ops: readonly Op[];
}

function badge(valid: Validity): string {
  if (valid === true) return '<span class="badge valid">VALID</span>';
  if (valid === false) return '<span class="badge invalid">INVALID</span>';
  return '<span class="badge unknown">UNKNOWN</span>';
}

function verdictWord(valid: Validity): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

function legend(anomaly: boolean): string {
  const [ok, fail, info] = COLOURS.outcome;
  return (
    `<span class="key"><i style="background:${ok}"></i>ok</span><span class="key"><i style="background:${fail}"></i>fail</span>` +
    `<span class="key"><i class="fade" style="background:linear-gradient(90deg,${info},transparent)"></i>info: outcome unknown, may take effect any time later</span>` +
    (anomaly ? `<span class="key"><i class="outline"></i>the anomaly's operations (its time marked red above)</span>` : '')
  );
}

export function renderReport(input: ReportInput): string {
  const { results } = input;
  const spec = results.spec;
  const data = buildReportData(results, input.ops, { logs: input.logs ?? [], ...(input.messages && { messages: input.messages }) });
  const uplot = chartLibrary();
  const fact = (name: string, value: string): string => `<div><dt>${name}</dt><dd>${value}</dd></div>`;
  const checkers = Object.entries(results.checkers)
    .map(([name, r]) => `<li>${badge(r.valid)} <b>${esc(name)}</b>: ${esc(r.summary)}</li>`)
    .join('');
  const anomalies = data.anomalies
    .map(
      (a, k) => `<div class="anomaly" id="anomaly-${k}">
<h3>${esc(a.kind)}: ${esc(a.summary)}</h3>
<p class="meta">found by ${esc(a.checker)}${a.key !== undefined ? ` on key ${esc(a.key)}` : ''} · ${plural(a.rows.length, 'operation')} between ${(a.start / 1000).toFixed(3)} s and ${(a.end / 1000).toFixed(3)} s</p>
<pre class="explanation">${a.explanationHtml}</pre>
<p><button type="button" class="show-timeline">show on the timeline</button> <button type="button" class="show-messages">messages in this window</button></p>
<div class="drawing"></div></div>`,
    )
    .join('\n');
  const faultRows = data.faultOps
    .map((f) => `<tr><td>${(f.t / 1000).toFixed(3)}</td><td><a href="#op-${f.idx}" data-op="${f.idx}">#${f.idx}</a></td><td>${esc(f.text)}</td><td class="bad">${esc(f.error ?? '')}</td></tr>`)
    .join('\n');
  const warnings = results.warnings.map((w) => `<li>${esc(w)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline ${esc(results.name)}: ${verdictWord(results.valid)}</title>
<style>${uplot.css}</style>
<style>${REPORT_CSS}</style></head><body>
<header>
  <h1>${badge(results.valid)} ${esc(results.name)}</h1>
  <dl class="facts">
    ${fact('system', `${esc(spec.cluster)}${spec.bugs.length ? ` <span class="bug">bugs: ${esc(spec.bugs.join(', '))}</span>` : ''}${Object.keys(spec.clusterOptions).length ? ` (${esc(Object.entries(spec.clusterOptions).map(([k, v]) => `${k}=${v}`).join(', '))})` : ''}`)}
    ${fact('workload', esc(spec.workload))}
    ${fact('nemesis', esc(spec.nemeses.join(', ') || 'none'))}
    ${fact('cluster', `${plural(spec.nodes.length, 'node')} (${esc(spec.nodes.join(', '))}) on ${esc(spec.hosts)} hosts, ${esc(results.net)} network, ${plural(spec.concurrency, 'client')}`)}
    ${fact('seed', String(spec.seed))}
    ${fact('duration', `${results.durationS} s (${spec.timeLimitS} s of faults + ${spec.recoveryS} s recovery)`)}
    ${fact('operations', `${results.ops.invoke.toLocaleString('en')}: <span class="ok">${results.ops.ok.toLocaleString('en')} ok</span>, <span class="fail">${results.ops.fail.toLocaleString('en')} fail</span>, <span class="info">${results.ops.info.toLocaleString('en')} info</span>`)}
    ${fact('started', esc(results.startedAt))}
    ${fact('faultline', esc(results.faultline))}
  </dl>
  <ul class="verdicts">${checkers}</ul>
  ${results.error ? `<p class="bad">harness error: ${esc(results.error)}</p>` : ''}
  ${results.interrupted ? '<p class="bad">interrupted: the history is partial</p>' : ''}
  ${warnings ? `<details class="warnings"><summary>${plural(results.warnings.length, 'warning')}</summary><ul>${warnings}</ul></details>` : ''}
  <p class="repeat">repeat: <code>${esc(results.command)}</code></p>
  <nav>${data.anomalies.length ? '<a href="#anomalies">anomaly</a>' : ''}<a href="#timeline">timeline</a><a href="#plots">latency &amp; throughput</a><a href="#messages">messages</a><a href="#faults">faults</a><a href="#logs">node logs</a><a href="#operations">operations</a>
  <span class="files">files: <a href="history.jsonl">history.jsonl</a> <a href="results.json">results.json</a> <a href="schedule.json">schedule.json</a> <a href="junit.xml">junit.xml</a> <a href="nodes/">nodes/</a></span></nav>
</header>
<noscript><p class="bad">The timeline, plots and diagrams need JavaScript; the verdict, explanations and faults below do not.</p></noscript>
${anomalies ? `<section id="anomalies"><h2>${data.anomalies.length === 1 ? 'The anomaly' : `${data.anomalies.length} anomalies`}</h2>\n${anomalies}</section>` : ''}
<section id="timeline"><h2>Timeline</h2>
<p class="meta legend">${legend(data.anomalies.length > 0)} · time in seconds from the workload's start · drag to zoom, double-click for the whole run, Ctrl+wheel to zoom, Shift+wheel to pan, click an operation to find it in the table</p>
${data.clipped ? `<p class="bad">This report holds operations ${(data.clipped.from + 1).toLocaleString('en')} to ${data.clipped.to.toLocaleString('en')} of ${data.clipped.total.toLocaleString('en')}${data.anomalies.length ? ', around the anomaly' : ''}: a page with all of them would not open. history.jsonl has every one.</p>` : ''}
<div id="timeline-box"></div></section>
<section id="plots"><h2>Latency and throughput</h2><div id="plots-box"></div></section>
<section id="messages"><h2>Messages between nodes</h2>
<p class="meta">One line per node, time running down; an arrow per message from send to receipt; a red dashed stub ending in a cross: sent and never received. Shaded: faults. Beside each line: the client operations sent to that node (the anomaly's in red).</p>
<div id="messages-box"></div></section>
<section id="faults"><h2>Faults</h2>
${data.faultOpsTotal > data.faultOps.length ? `<p class="meta">The first ${data.faultOps.length.toLocaleString('en')} of ${data.faultOpsTotal.toLocaleString('en')} fault operations; history.jsonl has them all.</p>` : ''}
${data.bandsMerged ? `<p class="meta">Nearby faults of one nemesis are drawn as one band (${data.bands.length.toLocaleString('en')} bands).</p>` : ''}
${faultRows ? `<table class="faults"><thead><tr><th>time (s)</th><th>history</th><th>fault (as done)</th><th>error</th></tr></thead><tbody>\n${faultRows}\n</tbody></table>` : '<p class="meta">No faults were injected.</p>'}
</section>
<section id="logs"><h2>Node logs</h2><div id="logs-box"></div></section>
<section id="operations"><h2>Operations</h2><div id="ops-box"></div></section>
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(data)}</script>
<script>${scriptSafe(uplot.js)}</script>
<script>${scriptSafe(clientScript())}</script>
</body></html>
`;
}
