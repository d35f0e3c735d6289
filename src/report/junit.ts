/**
 * junit.xml: one test case per checker, so CI systems show the verdict natively. A failure's
 * message is the anomaly's one-line summary (what CI lists shows first); its body holds every
 * anomaly's explanation and the command that repeats the run. A harness error or an interrupt
 * is a test case in error of its own, so such a run never reads as passed.
 */
import type { TestSpec } from '../api/test-spec.js';
import type { RunResults } from '../results/schema.js';
import { escapeXml } from './escape.js';
import { plural } from './fault-text.js';

interface Case {
  name: string;
  classname: string;
  outcome?: { tag: 'failure' | 'error'; message: string; type: string; body: string };
}

function document(suite: string, startedAt: string, durationS: number, cases: readonly Case[]): string {
  const failures = cases.filter((c) => c.outcome?.tag === 'failure').length;
  const errors = cases.filter((c) => c.outcome?.tag === 'error').length;
  const body = cases.map((c) => {
    const attrs = `name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}"`;
    if (!c.outcome) return `    <testcase ${attrs}/>`;
    const { tag, message, type, body: text } = c.outcome;
    return `    <testcase ${attrs}>\n      <${tag} message="${escapeXml(message)}" type="${escapeXml(type)}">${escapeXml(text)}</${tag}>\n    </testcase>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites tests="${cases.length}" failures="${failures}" errors="${errors}">\n` +
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${durationS}" timestamp="${escapeXml(startedAt)}">\n` +
    `${body.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}

export function renderJunit(results: RunResults): string {
  const classname = `faultline.${results.spec.cluster}.${results.spec.workload}`;
  const repeat = results.command ? `\n\nrepeat: ${results.command}` : '';
  const cases: Case[] = Object.entries(results.checkers).map(([name, r]) => {
    if (r.valid === true) return { name, classname };
    const anomalies = r.anomalies ?? [];
    const first = anomalies[0];
    const more = anomalies.length > 1 ? ` (and ${plural(anomalies.length - 1, 'more anomaly', 'more anomalies')})` : '';
    const body = [r.summary, ...anomalies.map((a) => `\n${a.kind}: ${a.summary}\n${a.explanation}`)].join('\n') + repeat;
    if (r.valid === false) {
      return { name, classname, outcome: { tag: 'failure', message: first ? `${first.summary}${more}` : r.summary, type: first?.kind ?? 'invalid', body } };
    }
    return { name, classname, outcome: { tag: 'error', message: `unknown: ${r.summary}`, type: 'unknown', body } };
  });
  const troubles = [
    ...(results.error !== undefined ? [`harness error: ${results.error}`] : []),
    ...(results.interrupted ? ['interrupted: the history is partial'] : []),
  ];
  if (troubles.length > 0) {
    cases.push({ name: 'harness', classname: 'faultline', outcome: { tag: 'error', message: troubles.join('; '), type: 'harness', body: troubles.join('\n') + repeat } });
  }
  if (cases.length === 0) {
    cases.push({ name: 'harness', classname: 'faultline', outcome: { tag: 'error', message: 'no checker ran', type: 'harness', body: '' } });
  }
  return document(results.name, results.startedAt, results.durationS, cases);
}

/** The JUnit file of a run that has not finished: one test case in error, so a harness that dies leaves CI a failure. */
export function renderUnfinishedJunit(spec: Pick<TestSpec, 'name'>, startedAt: Date): string {
  const message = `the run has not finished: no verdict (started ${startedAt.toISOString()}; if the harness died, faultline report <run-dir> rebuilds the results)`;
  return document(spec.name, startedAt.toISOString(), 0, [{ name: 'harness', classname: 'faultline', outcome: { tag: 'error', message, type: 'unfinished', body: message } }]);
}
