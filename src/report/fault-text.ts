/** One-line descriptions of fault operations, shared by the terminal and the HTML report. */
import type { Grudge } from '../api/net.js';
import { describeGrudge } from '../net/grudge.js';

/** "start-partition n1,n2 | n3,n4,n5" from an op's f and value. */
export function describeFault(f: string, value: unknown): string {
  if (value === null || value === undefined) return f;
  if (typeof value === 'string') return `${f} ${value}`;
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return `${f} ${value.text}`;
    if ('grudge' in value && typeof value.grudge === 'object' && value.grudge !== null) {
      const shape = 'shape' in value && typeof value.shape === 'string' ? `${value.shape}: ` : '';
      return `${f} ${shape}${describeGrudge(value.grudge as Grudge)}`;
    }
  }
  return `${f} ${JSON.stringify(value)}`;
}
