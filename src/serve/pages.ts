/** The pages `faultline serve` writes itself: the list of runs, and a run directory's files. */
import type { Dirent } from 'node:fs';
import { escapeXml as esc } from '../report/escape.js';
import { plural } from '../report/fault-text.js';
import type { RunRow } from './runs.js';

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 2rem 3rem; max-width: 1500px; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 1.35rem; margin: 1.2rem 0 .6rem; } a { color: #1b6ef3; text-decoration: none; } a:hover { text-decoration: underline; }
form { display: flex; gap: .6rem; align-items: center; margin: .6rem 0 1rem; } input, select, button { font: inherit; padding: .25rem .5rem; }
input[type=search] { width: 28rem; max-width: 100%; }
table { border-collapse: collapse; width: 100%; background: #fff; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eef0f5; vertical-align: top; }
th { background: #f4f5fa; } td.note { color: #5b6272; max-width: 36rem; } .meta { color: #5b6272; }
.v { font-weight: 700; font-size: .8em; color: #fff; padding: .1em .5em; border-radius: 4px; } .v-valid { background: #1f9d55; } .v-invalid { background: #d6332a; }
.v-unknown { background: #c98a00; } .v-no { background: #8a8fa0; } .bug { color: #9b1fa0; } code { font-size: 12.5px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body>${body}</body></html>\n`;
}

/** The list of runs, filtered as the form asks (server-side: it works without scripts). */
export function runsPage(root: string, all: number, rows: readonly RunRow[], query: string, verdict: string): string {
  const options = ['', 'invalid', 'unknown', 'valid', 'no results']
    .map((v) => `<option value="${esc(v)}"${v === verdict ? ' selected' : ''}>${v === '' ? 'any verdict' : esc(v)}</option>`)
    .join('');
  const body = rows
    .map((r) => {
      const dir = encodeURIComponent(r.dir);
      const verdictClass = r.verdict === 'no results' ? 'v-no' : `v-${r.verdict}`;
      return (
        `<tr><td>${esc(r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>` +
        `<td>${r.hasReport ? `<a href="/${dir}/report.html">${esc(r.dir)}</a>` : esc(r.dir)}<br><a class="meta" href="/${dir}/">files</a></td>` +
        `<td>${esc(r.system)}${r.bugs ? `<br><span class="bug">bugs: ${esc(r.bugs)}</span>` : ''}</td><td>${esc(r.workload)}</td><td>${esc(r.nemeses)}</td>` +
        `<td><span class="v ${verdictClass}">${esc(r.verdict.toUpperCase())}</span></td>` +
        `<td>${r.durationS !== undefined ? `${r.durationS} s` : ''}</td><td>${r.ops !== undefined ? r.ops.toLocaleString('en') : ''}</td><td class="note">${esc(r.note)}</td></tr>`
      );
    })
    .join('\n');
  return page(
    'faultline runs',
    `<h1>faultline runs</h1><p class="meta">${plural(all, 'run')} in <code>${esc(root)}</code>${rows.length !== all ? `; ${rows.length} match` : ''}</p>
<form method="get" action="/"><input type="search" name="q" value="${esc(query)}" placeholder="filter: system, workload, nemesis, bug, name, date" aria-label="filter runs" autofocus>
<select name="verdict" aria-label="verdict">${options}</select><button type="submit">filter</button>${query || verdict ? ' <a href="/">all runs</a>' : ''}</form>
<table><thead><tr><th>started</th><th>run</th><th>system</th><th>workload</th><th>nemeses</th><th>verdict</th><th>duration</th><th>operations</th><th>anomaly or error</th></tr></thead>
<tbody>${body || '<tr><td colspan="9" class="meta">No runs.</td></tr>'}</tbody></table>`,
  );
}

/** A directory's files, with sizes. */
export function directoryPage(urlPath: string, entries: readonly (Dirent & { size?: number })[]): string {
  const base = urlPath.endsWith('/') ? urlPath : `${urlPath}/`;
  const rows = entries
    .map((e) => {
      const name = e.isDirectory() ? `${e.name}/` : e.name;
      return `<tr><td><a href="${esc(base + encodeURIComponent(e.name) + (e.isDirectory() ? '/' : ''))}">${esc(name)}</a></td><td>${e.size !== undefined ? e.size.toLocaleString('en') : ''}</td></tr>`;
    })
    .join('\n');
  return page(`faultline ${urlPath}`, `<h1>${esc(decodeURIComponent(urlPath))}</h1><p><a href="/">all runs</a>${base !== '/' ? ` · <a href="..">up</a>` : ''}</p><table><thead><tr><th>file</th><th>bytes</th></tr></thead><tbody>${rows}</tbody></table>`);
}
