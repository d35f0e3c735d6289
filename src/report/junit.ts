/** junit.xml: one test case per checker, so CI systems show the verdict natively. */
import type { RunResults } from '../runner/results.js';
import { escapeXml } from './escape.js';

export function renderJunit(results: RunResults): string {
  const cases = Object.entries(results.checkers).map(([name, r]) => {
    const attrs = `name="${escapeXml(name)}" classname="faultline.${escapeXml(results.spec.cluster)}.${escapeXml(results.spec.workload)}"`;
    if (r.valid === true) return `    <testcase ${attrs}/>`;
    const body = escapeXml([r.summary, ...(r.anomalies ?? []).map((a) => `${a.summary}\n${a.explanation}`)].join('\n'));
    if (r.valid === false) return `    <testcase ${attrs}>\n      <failure message="${escapeXml(r.summary)}">${body}</failure>\n    </testcase>`;
    return `    <testcase ${attrs}>\n      <error message="unknown: ${escapeXml(r.summary)}">${body}</error>\n    </testcase>`;
  });
  if (results.error) cases.push(`    <testcase name="harness" classname="faultline"><error message="${escapeXml(results.error)}"/></testcase>`);
  const failures = Object.values(results.checkers).filter((r) => r.valid === false).length;
  const errors = cases.length - failures - Object.values(results.checkers).filter((r) => r.valid === true).length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites>\n  <testsuite name="${escapeXml(results.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${results.durationS}" timestamp="${results.startedAt}">\n` +
    `${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}
