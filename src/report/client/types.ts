/**
 * What report.html carries for its script: the run's data in compact, columnar form (built by
 * ../report-data.ts), and the functions the page script is made of (see ../client-bundle.ts).
 * Times are milliseconds since the workload's start, the time base of the history and schedule.
 */
import type uPlot from 'uplot';
import type { AnomalyEdge } from '../../api/checker.js';
import type { Util } from './util.js';

/** Client operations, one entry per invocation (paired with its completion), in invocation order. */
export interface OpsData {
  /** History index of the invocation, and of the completion (-1 when there is none). */
  idx: number[];
  cidx: number[];
  /** Invocation and completion times; `t1` is -1 when there is no completion. */
  t0: number[];
  t1: number[];
  /** Outcome: 0 ok, 1 fail, 2 info (unknown), 3 open (no completion recorded). */
  type: number[];
  process: number[];
  /** Indices into ReportData.strings: f, key, node, error (-1: none). */
  f: number[];
  key: number[];
  node: number[];
  error: number[];
  /** The invocation's and the completion's value as JSON, cut short when long: indices into ReportData.strings (-1: none). */
  value: number[];
  result: number[];
}

/** A fault interval, from a `start-x` until its `stop-x` or the final heal. */
export interface BandData {
  start: number;
  end: number;
  /** The nemesis (`partition`, `kill`, ...), for the colour. */
  kind: string;
  label: string;
}

/** A fault operation as done (its completion). */
export interface FaultOpData {
  t: number;
  idx: number;
  f: string;
  text: string;
  error?: string;
}

/** What one operation of an anomaly's window needs from the state and leaves in it. */
export interface StepData {
  /** Row in OpsData. */
  row: number;
  label: string;
  needs?: string;
  makes?: string;
}

export interface AnomalyData {
  checker: string;
  kind: string;
  summary: string;
  key?: string;
  /** The explanation as HTML (escaped, with `#n` turned into links to operation rows). */
  explanationHtml: string;
  /** Rows in OpsData of the anomaly's operations. */
  rows: number[];
  start: number;
  end: number;
  steps: StepData[];
  cycle?: AnomalyEdge[];
}

export interface MessagesData {
  nodes: string[];
  /** Per message: indices into `nodes`, times (null: not recorded), 1 when dropped by its sender. */
  from: number[];
  to: number[];
  sent: (number | null)[];
  recv: (number | null)[];
  dropped: number[];
  /** Index into `types` and into `summaries`. */
  type: number[];
  types: string[];
  summary: number[];
  summaries: string[];
  total: number;
  notes: string[];
}

export interface LogData {
  node: string;
  /** The log file, relative to the report. */
  file: string;
  lines: string[];
  times: (number | null)[];
  omittedBytes: number;
}

export interface ReportData {
  /** The time axis: from `start` to `end`. */
  start: number;
  end: number;
  /** String tables (f, key, node and error values of operations). */
  strings: string[];
  ops: OpsData;
  bands: BandData[];
  /** True when bands were merged to keep their number drawable. */
  bandsMerged: boolean;
  /** Set when the history held more operations than a report carries: which of them it holds. */
  clipped?: { from: number; to: number; total: number };
  faultOps: FaultOpData[];
  faultOpsTotal: number;
  anomalies: AnomalyData[];
  messages?: MessagesData;
  logs: LogData[];
  /** Colours per nemesis kind and per outcome, shared with the stylesheet. */
  colours: { outcome: string[]; fault: Record<string, string>; f: string[] };
}

/** The time window every view shows, shared between them. */
export interface View {
  a: number;
  b: number;
  set(a: number, b: number, from?: string): void;
  listen(fn: (a: number, b: number, from?: string) => void): void;
}

/** Where the page's parts point each other: select an operation, show a window of messages. */
export interface Links {
  selectOp(row: number, from?: string): void;
  onSelectOp(fn: (row: number, from?: string) => void): void;
  showMessages(a: number, b: number): void;
}

export interface Timeline {
  scrollToRows(rows: readonly number[]): void;
}

export interface Plots {
  readonly latency: uPlot;
  readonly throughput: uPlot;
}

export interface Messages {
  show(a: number, b: number): void;
}

/** Row packing of the timeline: a row per process at a time, reused once a process is done. */
export interface Lanes {
  /** Row of each entry of OpsData. */
  rowOf: number[];
  /** Entries of each row, by invocation time. */
  rows: number[][];
  /** The processes each row held, in order. */
  processes: number[][];
}

/** The page script's functions, all reached through this object (each is self-contained). */
export interface Client {
  uPlot: typeof uPlot;
  util: Util;
  reachOf(type: number, t0: number, t1: number, fadeMs: number): number;
  packLanes(data: ReportData, fadeMs: number): Lanes;
  latencyTable(data: ReportData, bucketMs: number): { table: (number | null)[][]; series: { label: string; f: number; q?: number }[] };
  throughputTable(data: ReportData, bucketMs: number): (number | null)[][];
  mountTimeline(fl: Client, data: ReportData, host: HTMLElement, view: View, links: Links, highlight: ReadonlySet<number>): Timeline;
  mountPlots(fl: Client, data: ReportData, host: HTMLElement, view: View): Plots;
  drawWindow(fl: Client, data: ReportData, anomaly: AnomalyData, links: Links): SVGSVGElement;
  drawCycle(fl: Client, data: ReportData, anomaly: AnomalyData, links: Links): SVGSVGElement;
  mountMessages(fl: Client, data: ReportData, host: HTMLElement, view: View): Messages;
  mountLogs(fl: Client, data: ReportData, host: HTMLElement, view: View): void;
  mountOpsTable(fl: Client, data: ReportData, host: HTMLElement, links: Links, highlight: ReadonlySet<number>): void;
  main(fl: Client, data: ReportData): void;
}
