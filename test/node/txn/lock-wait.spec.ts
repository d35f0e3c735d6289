// Bounded lock waits (src/node/txn/lock-wait.ts): oldest first, a deadline per wait that a
// repeated prepare does not extend, and a last try once the wait has run out.
import { describe, expect, it } from 'vitest';
import { LOCK_WAIT_MS, LockWaits } from '../../../src/node/txn/lock-wait.js';

describe('lock waits', () => {
  it('retries the oldest first, drops what settles, and makes the last try once the wait is over', () => {
    const waits = new LockWaits<string>();
    waits.add('t1', 'first', 0);
    waits.add('t2', 'second', 100);
    waits.add('t1', 'again', 200); // a repeated prepare keeps its place and deadline
    const tried: [string, boolean][] = [];
    waits.retry(LOCK_WAIT_MS - 1, (item, last) => (tried.push([item, last]), false));
    expect(tried).toEqual([['first', false], ['second', false]]);
    tried.length = 0;
    waits.retry(LOCK_WAIT_MS, (item, last) => (tried.push([item, last]), last));
    expect(tried).toEqual([['first', true], ['second', false]]);
    expect([waits.has('t1'), waits.has('t2'), waits.size()]).toEqual([false, true, 1]);
    waits.retry(LOCK_WAIT_MS + 10, (item) => item === 'second');
    expect(waits.size()).toBe(0);
  });

  it('forgets a wait whose outcome came first', () => {
    const waits = new LockWaits<number>();
    waits.add('t1', 1, 0);
    expect(waits.drop('t1')).toBe(true);
    expect(waits.drop('t1')).toBe(false);
    waits.retry(LOCK_WAIT_MS, () => expect.unreachable());
  });
});
