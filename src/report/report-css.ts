/** The report's stylesheet, inlined into report.html. */
export const REPORT_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 2rem 3rem; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 1.5rem; margin: 1.2rem 0 .3rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #dde; }
h3 { font-size: 1rem; margin: .8rem 0 .3rem; }
.meta { color: #5b6272; margin: .2rem 0; } code { background: #eef; padding: 0 .3em; border-radius: 3px; }
.badge { display: inline-block; padding: .1em .5em; border-radius: 4px; color: #fff; font-weight: 700; font-size: .85em; }
.badge.valid { background: #1f9d55; } .badge.invalid { background: #d6332a; } .badge.unknown { background: #c98a00; }
.bug { color: #9b1fa0; } .bad { color: #d6332a; }
table { border-collapse: collapse; } .kv th { text-align: left; padding-right: 1rem; color: #5b6272; font-weight: 500; }
.ops { font: 12px ui-monospace, monospace; } .ops th, .ops td { padding: 1px 8px; border-bottom: 1px solid #eef; text-align: left; }
.ops tr.ok td:nth-child(4), .ok { color: #1f9d55; } .ops tr.fail td:nth-child(4), .fail { color: #d6332a; } .ops tr.info td:nth-child(4), .info { color: #c98a00; }
.ops tr.hl { background: #ffe3e0; font-weight: 700; }
.anomaly { border-left: 4px solid #d6332a; padding: .2rem 1rem; background: #fff5f4; margin: .5rem 0; }
.anomaly pre { white-space: pre-wrap; font-size: 12.5px; }
svg.timeline { background: #fff; border: 1px solid #e3e5ee; } svg text { font: 10px ui-monospace, monospace; fill: #5b6272; }
`;
