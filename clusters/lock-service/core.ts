/**
 * The lock-service node core: the shared Raft core (src/node/raft/core.ts) replicating the lock
 * state (./state.ts). Every client request goes through the log; the leader alone times leases
 * (./leases.ts) and proposes the expiry of a session whose lease and grace have passed.
 */
import { DEFAULT_TIMINGS, makeRaftConfig, type RaftConfig } from '../../src/node/raft/config.js';
import { RaftCore, type RaftMachine } from '../../src/node/raft/core.js';
import type { Persisted, RaftEnv } from '../../src/node/raft/types.js';
import { Bugs } from './bugs.js';
import { Leases, type Instant } from './leases.js';
import type { LockRequest } from './protocol.js';
import { LockState, type LockCommand } from './state.js';

export type { Ready } from '../../src/node/raft/types.js';

/** Lease timings: the lease a client counts on, and the grace the leader adds before expiring it. */
export const LEASE_TIMINGS = { leaseMs: 1500, graceMs: 1500 } as const;

export interface LockConfig {
  raft: RaftConfig;
  leaseMs: number;
  graceMs: number;
  bugs: Bugs;
}

export function makeLockConfig(
  id: string,
  nodes: readonly string[],
  opts: { bugs?: readonly string[]; election?: string } & Partial<typeof LEASE_TIMINGS> & Partial<typeof DEFAULT_TIMINGS> = {},
): LockConfig {
  const { bugs: names, election, leaseMs = LEASE_TIMINGS.leaseMs, graceMs = LEASE_TIMINGS.graceMs, ...timings } = opts;
  const bugs = new Bugs(names ?? []);
  // Of lock-service's bugs only bully-no-term is in the Raft core (in its bully election, which it implies).
  const noTerm = bugs.has('bully-no-term');
  const raft = makeRaftConfig(id, nodes, { has: (bug) => bug === 'bully-no-term' && noTerm }, { ...timings, election: noTerm ? 'bully' : (election ?? 'raft') });
  return { raft, leaseMs, graceMs, bugs };
}

/** Now, on both of the node's clocks. */
const instant = (env: RaftEnv): Instant => ({ wall: env.wall(), mono: env.mono() });

/** The lock state as the Raft core replicates it, telling the lease clock of every renewal. */
function lockMachine(state: LockState, leases: Leases, leaseMs: number, env: RaftEnv): RaftMachine<LockCommand> {
  return {
    noop: () => ({ op: 'noop' }),
    apply(cmd) {
      // The reply to an open tells the client how long a lease lasts.
      const result = cmd.op === 'open' ? (state.apply(cmd), { type: 'ok' as const, value: { leaseMs } }) : state.apply(cmd);
      if (cmd.op !== 'noop' && cmd.op !== 'expire') {
        if (state.hasSession(cmd.session)) leases.renew(cmd.session, instant(env));
        else leases.forget(cmd.session);
      } else if (cmd.op === 'expire' && !state.hasSession(cmd.session)) {
        leases.forget(cmd.session);
      }
      return result;
    },
    query: (lock) => state.holder(lock) ?? null,
    readCommand: () => {
      throw new Error('lock-service reads by read index only');
    },
  };
}

export class LockCore extends RaftCore<LockCommand> {
  readonly state: LockState;
  private readonly leases: Leases;
  private readonly bugs: Bugs;
  /** Bug no-fencing: the next token this node hands out when it leads; it counts only its own grants since it started. */
  private nextToken = 1;

  constructor(cfg: LockConfig, env: RaftEnv, persisted: Persisted) {
    const state = new LockState(!cfg.bugs.has('no-fencing'));
    const withoutGrace = cfg.bugs.has('lease-without-grace');
    const leases = new Leases(cfg.leaseMs + (withoutGrace ? 0 : cfg.graceMs), withoutGrace);
    super(cfg.raft, env, persisted, lockMachine(state, leases, cfg.leaseMs, env));
    this.state = state;
    this.leases = leases;
    this.bugs = cfg.bugs;
  }

  request(rid: string, req: LockRequest): void {
    switch (req.f) {
      case 'holder':
        return this.read(rid, req.key);
      case 'open':
        return this.propose({ op: 'open', session: req.session, rid }, rid);
      case 'keepalive':
      case 'close':
        return this.propose({ op: req.f, session: req.session, rid }, rid);
      case 'acquire': {
        // A lock the leader sees held is refused when applied, so it takes no token: the counter counts grants.
        const grantable = this.bugs.has('no-fencing') && this.isLeader && this.state.holder(req.key) === undefined;
        const token = grantable ? { token: this.takeToken() } : {};
        return this.propose({ op: 'acquire', session: req.session, lock: req.key, ...token, rid }, rid);
      }
      case 'release':
      case 'write':
        return this.propose({ op: req.f, session: req.session, lock: req.key, token: req.value, rid }, rid);
    }
  }

  /** Bug no-fencing: the leader's next token from its own counter. */
  private takeToken(): number {
    if (this.nextToken <= this.state.highestToken) {
      this.env.log('debug', 'bug no-fencing: handing out a token already granted', { token: this.nextToken, granted: this.state.highestToken });
    }
    return this.nextToken++;
  }

  override tick(): void {
    super.tick();
    if (!this.isLeader) return;
    for (const session of this.leases.due(instant(this.env))) {
      const renewals = this.state.renewals(session);
      if (renewals !== undefined) this.propose({ op: 'expire', session, renewals });
      else this.leases.forget(session);
    }
  }

  protected override tookOffice(): void {
    this.leases.restart(this.state.sessionIds(), instant(this.env));
  }
}
