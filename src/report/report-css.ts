/** The report's stylesheet, inlined into report.html. */
export const REPORT_CSS = `
:root { --ink: #1d2330; --muted: #5b6272; --line: #e3e5ee; --bg: #fbfbfd; --ok: #1f9d55; --fail: #d6332a; --info: #c98a00; --accent: #1b6ef3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 0 2rem 4rem; max-width: 1500px; color: var(--ink); background: var(--bg); }
header { padding: .6rem 0 .4rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.45rem; margin: .8rem 0 .5rem; word-break: break-all; } h2 { font-size: 1.12rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: .2rem 0 .3rem; }
.meta { color: var(--muted); margin: .25rem 0; } .bad { color: var(--fail); } .bug { color: #9b1fa0; font-weight: 600; }
.ok { color: var(--ok); } .fail { color: var(--fail); } .info { color: var(--info); }
code { background: #eef0f8; padding: .1em .35em; border-radius: 3px; font-size: 12.5px; word-break: break-all; }
.badge { display: inline-block; padding: .12em .55em; border-radius: 4px; color: #fff; font-weight: 700; font-size: .8em; vertical-align: middle; letter-spacing: .02em; }
.badge.valid { background: var(--ok); } .badge.invalid { background: var(--fail); } .badge.unknown { background: var(--info); }
.facts { display: flex; flex-wrap: wrap; gap: .3rem 1.6rem; margin: .3rem 0 .6rem; }
.facts div { display: flex; gap: .4rem; } .facts dt { color: var(--muted); } .facts dd { margin: 0; font-weight: 500; }
.verdicts { list-style: none; padding: 0; margin: .4rem 0; } .verdicts li { margin: .2rem 0; }
.repeat { margin: .4rem 0; } .warnings { margin: .3rem 0; color: var(--muted); }
nav { display: flex; flex-wrap: wrap; gap: .9rem; margin: .6rem 0 .2rem; font-size: 13px; } nav .files { margin-left: auto; color: var(--muted); } nav .files a { margin-left: .5rem; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
button { font: inherit; font-size: 12.5px; padding: .2rem .7rem; border: 1px solid #c9ccd8; border-radius: 4px; background: #fff; cursor: pointer; color: var(--ink); }
button:hover { border-color: var(--accent); color: var(--accent); }
.anomaly { border-left: 4px solid var(--fail); padding: .5rem 1rem .8rem; background: #fff6f5; margin: .6rem 0 1rem; border-radius: 0 6px 6px 0; }
.explanation { white-space: pre-wrap; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; background: #fff; border: 1px solid #f1d5d2; padding: .6rem .8rem; border-radius: 4px; margin: .4rem 0; }
.drawing { overflow-x: auto; } svg text { font: 11px ui-monospace, monospace; fill: var(--muted); }
svg.window, svg.cycle { background: #fff; border: 1px solid var(--line); border-radius: 4px; margin-top: .3rem; }
svg .win-op, svg .txn { cursor: pointer; } svg tspan.state { fill: #9b1fa0; font-weight: 600; } svg text.band-lbl { font-size: 10px; } svg .win-op:hover rect { stroke-width: 2.5; } svg text.step { fill: var(--ink); font-size: 12px; }
svg text.rel { fill: var(--fail); font-weight: 700; font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 3px; } svg text.legend { fill: var(--ink); font-size: 12px; }
svg g:focus { outline: none; } svg g.txn:focus circle, svg g.win-op:focus rect { stroke: var(--accent); stroke-width: 3; } svg text.tname { fill: var(--ink); font-weight: 700; font-size: 13px; }
.legend .key { margin-right: 1rem; white-space: nowrap; } .legend i { display: inline-block; width: 18px; height: 9px; margin-right: .3rem; vertical-align: middle; border-radius: 2px; }
.legend i.outline { border: 2px solid #000; background: transparent; }
.tl-frame { position: relative; background: #fff; border: 1px solid var(--line); border-radius: 4px; user-select: none; }
.tl-scroll { max-height: 470px; overflow-y: auto; overflow-x: hidden; } .tl-head, .tl-body { display: block; cursor: crosshair; }
.brush { position: absolute; top: 0; bottom: 0; display: none; background: rgba(27,110,243,.12); border-left: 1px solid var(--accent); border-right: 1px solid var(--accent); pointer-events: none; }
.tip { position: absolute; z-index: 10; display: none; max-width: 520px; background: #1d2330; color: #fff; padding: .4rem .6rem; border-radius: 4px; font: 12px/1.4 ui-monospace, monospace; pointer-events: none; box-shadow: 0 2px 8px rgba(0,0,0,.25); word-break: break-all; }
.plot { background: #fff; border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0 1rem; padding: .3rem 0; }
.u-title { font-size: 13px !important; font-weight: 600 !important; } .u-legend { font-size: 11.5px; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: .4rem 0; }
.win-in { width: 7rem; font: inherit; padding: .15rem .3rem; } .search { width: 26rem; max-width: 100%; font: inherit; padding: .25rem .5rem; border: 1px solid #c9ccd8; border-radius: 4px; }
.lamport-box { overflow: auto; max-height: 900px; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
svg.lamport text.node { fill: var(--ink); font-weight: 700; font-size: 13px; } svg.lamport text.msg-lbl { font-size: 9.5px; }
svg.lamport text.op-lbl { font-size: 10px; } svg.lamport .cop.hot text { font-weight: 700; } svg.lamport text.band-lbl { font-size: 10px; }
svg.lamport g.msg:hover line { stroke-width: 3; }
.tabs { display: flex; gap: .3rem; flex-wrap: wrap; } .tab.on { background: var(--ink); color: #fff; border-color: var(--ink); }
.log-box { max-height: 420px; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 4px; font: 12px/1.45 ui-monospace, monospace; padding: .3rem 0; }
.log-line, .log-fault { white-space: pre; padding: 0 .6rem; } .log-line:hover { background: #f2f4fa; cursor: pointer; }
.log-line .t, .log-fault .t { display: inline-block; width: 5.5rem; color: var(--muted); }
.log-fault { background: #f3ecfc; color: #5c2f9e; font-weight: 600; cursor: pointer; border-top: 1px solid #e2d4f5; border-bottom: 1px solid #e2d4f5; }
.op-box { position: relative; height: 440px; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 0 0 4px 4px; }
.op-spacer { position: relative; }
.op-row { position: absolute; left: 0; right: 0; height: 20px; display: grid; grid-template-columns: 5rem 5.5rem 5rem 4rem 4rem 4rem minmax(6rem, 2fr) 4rem minmax(5rem, 1fr) 3.5rem minmax(6rem, 2fr); gap: 0 .6rem; padding: 0 .6rem; font: 12px/20px ui-monospace, monospace; border-bottom: 1px solid #f0f1f6; cursor: pointer; }
.op-row span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.op-head { position: static; background: #f4f5fa; font-weight: 700; border: 1px solid var(--line); border-bottom: 0; border-radius: 4px 4px 0 0; cursor: default; }
.op-row.o0 span:nth-child(8) { color: var(--ok); } .op-row.o1 span:nth-child(8) { color: var(--fail); } .op-row.o2 span:nth-child(8) { color: var(--info); }
.op-row.hl { background: #ffe3e0; font-weight: 700; } .op-row.sel { outline: 2px solid var(--accent); outline-offset: -2px; } .op-row:hover { background: #f2f4fa; }
table.faults { border-collapse: collapse; font: 12px ui-monospace, monospace; } table.faults th, table.faults td { padding: 2px 10px; border-bottom: 1px solid #eef0f5; text-align: left; }
`;
