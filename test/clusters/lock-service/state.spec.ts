import { describe, expect, it } from 'vitest';
import { LockState } from '../../../clusters/lock-service/state.js';

const open = (s: LockState, session: string) => s.apply({ op: 'open', session });
const acquire = (s: LockState, session: string, lock = 'a') => s.apply({ op: 'acquire', session, lock });
const fail = (error: string) => ({ type: 'fail', error });

describe('lock state machine', () => {
  it('grants a free lock with a token higher than every earlier one, and refuses a held one', () => {
    const s = new LockState();
    open(s, 's1');
    open(s, 's2');
    expect(acquire(s, 's1')).toEqual({ type: 'ok', value: 1 });
    expect(acquire(s, 's2')).toEqual(fail('held'));
    expect(acquire(s, 's1')).toEqual(fail('held'));
    expect(s.apply({ op: 'release', session: 's2', lock: 'a', token: 1 })).toEqual(fail('not-holder'));
    expect(s.apply({ op: 'release', session: 's1', lock: 'a', token: 1 })).toEqual({ type: 'ok', value: 1 });
    expect(acquire(s, 's2')).toEqual({ type: 'ok', value: 2 });
    expect(acquire(s, 's1', 'b')).toEqual({ type: 'ok', value: 3 });
  });

  it('refuses requests of a session that is not open', () => {
    const s = new LockState();
    expect(acquire(s, 'ghost')).toEqual(fail('session-expired'));
    expect(s.apply({ op: 'keepalive', session: 'ghost' })).toEqual(fail('session-expired'));
  });

  it('an expiry frees the session and its locks, unless the session renewed since the leader decided', () => {
    const s = new LockState();
    open(s, 's1');
    acquire(s, 's1');
    const renewals = s.renewals('s1')!;
    s.apply({ op: 'keepalive', session: 's1' });
    expect(s.apply({ op: 'expire', session: 's1', renewals })).toEqual({ type: 'ok', value: false });
    expect(s.holder('a')?.session).toBe('s1');
    expect(s.apply({ op: 'expire', session: 's1', renewals: s.renewals('s1')! })).toEqual({ type: 'ok', value: true });
    expect(s.hasSession('s1')).toBe(false);
    expect(s.holder('a')).toBeUndefined();
  });

  it('the fenced resource refuses a token lower than one it accepted; with no-fencing it accepts any', () => {
    for (const checkTokens of [true, false]) {
      const s = new LockState(checkTokens);
      open(s, 's1');
      expect(s.apply({ op: 'write', session: 's1', lock: 'a', token: 5 })).toEqual({ type: 'ok', value: 5 });
      expect(s.apply({ op: 'write', session: 's1', lock: 'a', token: 5 })).toEqual({ type: 'ok', value: 5 });
      expect(s.apply({ op: 'write', session: 's1', lock: 'a', token: 4 })).toEqual(checkTokens ? fail('stale-token') : { type: 'ok', value: 4 });
      expect(s.apply({ op: 'write', session: 's1', lock: 'b', token: 1 })).toEqual({ type: 'ok', value: 1 });
    }
  });

  it('takes a token chosen by the leader when the command carries one (bug no-fencing)', () => {
    const s = new LockState(false);
    open(s, 's1');
    expect(s.apply({ op: 'acquire', session: 's1', lock: 'a', token: 7 })).toEqual({ type: 'ok', value: 7 });
    expect(s.highestToken).toBe(7);
  });
});
