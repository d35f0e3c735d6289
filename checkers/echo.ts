/**
 * `echo` (Maelstrom's echo check): every `echo` that completed ok returned exactly the value it
 * sent, compared as JSON.
 */
import type { Anomaly, CheckResult, Checker } from '../src/api/checker.js';
import type { Op } from '../src/api/op.js';
import { pairOps } from '../src/history/pairs.js';

const KEEP = 8;

export function echo(): Checker {
  return { name: 'echo', check: async (history) => checkEcho(history) };
}

export function checkEcho(history: readonly Op[]): CheckResult {
  const anomalies: Anomaly[] = [];
  let echoed = 0;
  let wrong = 0;
  for (const { invoke, completion } of pairOps(history)) {
    if (invoke.process === 'nemesis' || invoke.f !== 'echo' || completion?.type !== 'ok') continue;
    echoed++;
    const [sent, got] = [JSON.stringify(invoke.value), JSON.stringify(completion.value)];
    if (sent === got) continue;
    wrong++;
    if (anomalies.length < KEEP) {
      const where = `op #${invoke.index} (process ${String(invoke.process)}${invoke.node ? ` on ${invoke.node}` : ''})`;
      anomalies.push({ kind: 'wrong-echo', summary: `${where} sent ${sent} and got back ${got}`, ops: [invoke, completion], explanation: `An echo must return what it was sent: ${where} sent ${sent}, the node answered ${got}.` });
    }
  }
  const stats = { echoes: echoed, wrong };
  if (wrong === 0) return { valid: true, summary: `all ${echoed} echoes returned what they sent`, stats };
  return { valid: false, summary: `${wrong} of ${echoed} echoes returned something else`, anomalies, stats };
}
