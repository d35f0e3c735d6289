/** One-line descriptions of fault operations, shared by the terminal and the HTML report. */

/** "start-partition n1,n2 | n3,n4,n5" from an op's f and value. */
export function describeFault(f: string, value: unknown): string {
  if (value === null || value === undefined) return f;
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return `${f} ${value.text}`;
  if (typeof value === 'string') return `${f} ${value}`;
  return `${f} ${JSON.stringify(value)}`;
}
