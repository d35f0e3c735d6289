/**
 * `echo` (Maelstrom's echo check): every `echo` that completed ok returned exactly the value it
 * sent, compared as JSON.
 */
import type { Anomaly, CheckResult, Checker } from '../src/api/checker.js';
import type { Op } from '../src/api/op.js';
import { okPairs, opLabel } from './ok-pairs.js';

const KEEP = 8;

export function echo(): Checker {
  return { name: 'echo', check: async (history) => checkEcho(history) };
}

export function checkEcho(history: readonly Op[]): CheckResult {
  const anomalies: Anomaly[] = [];
  const echoes = okPairs(history, 'echo');
  const echoed = echoes.length;
  let wrong = 0;
  for (const { invoke, completion } of echoes) {
    const [sent, got] = [JSON.stringify(invoke.value), JSON.stringify(completion.value)];
    if (sent === got) continue;
    wrong++;
    if (anomalies.length < KEEP) {
      const where = opLabel(invoke);
      anomalies.push({ kind: 'wrong-echo', summary: `${where} sent ${sent} and got back ${got}`, ops: [invoke, completion], explanation: `An echo must return what it was sent: ${where} sent ${sent}, the node answered ${got}.` });
    }
  }
  const stats = { echoes: echoed, wrong };
  if (wrong === 0) return { valid: true, summary: `all ${echoed} echoes returned what they sent`, stats };
  return { valid: false, summary: `${wrong} of ${echoed} echoes returned something else`, anomalies, stats };
}
