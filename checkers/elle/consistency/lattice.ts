/**
 * What Jepsen knows about transactional consistency models, as data (after Elle's
 * consistency-model namespace and jepsen.io/consistency): which models imply which, which
 * anomalies imply which, and which anomalies each model rules out directly. Sources per row:
 * Adya = Adya's thesis and "Generalized Isolation Level Definitions"; Bailis = "Highly
 * Available Transactions"; Cerone = Cerone, Bernardi, Gotsman; Daudjee = Daudjee and Salem;
 * Elle = the Elle paper and checker, where no published definition exists.
 *
 * Models are named as Jepsen users write them; Adya's PL names are aliases.
 */

/** Model → models it implies (a history that satisfies the first satisfies these). */
export const MODEL_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  'strict-serializable': ['serializable', 'snapshot-isolation', 'strong-snapshot-isolation', 'strong-session-serializable'], // Adya, Bailis
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'], // Daudjee
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-read-committed'], // Daudjee
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-read-committed'], // Daudjee
  serializable: ['repeatable-read', 'snapshot-isolation', 'update-serializable'], // Adya, Bailis, Cerone
  'update-serializable': ['forward-consistent-view'], // Adya
  'forward-consistent-view': ['consistent-view'], // Adya
  'consistent-view': ['cursor-stability', 'monotonic-view'], // Adya
  'snapshot-isolation': ['forward-consistent-view', 'monotonic-atomic-view', 'monotonic-snapshot-read', 'parallel-snapshot-isolation', 'prefix'], // Adya, Bailis, Cerone
  'parallel-snapshot-isolation': ['causal-cerone', 'update-atomic'], // Cerone
  prefix: ['causal-cerone'], // Cerone
  'causal-cerone': ['read-atomic'], // Cerone
  'update-atomic': ['read-atomic'], // Cerone
  'read-atomic': ['monotonic-atomic-view'], // Cerone
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'], // Adya, Bailis
  'cursor-stability': ['read-committed'], // Adya, Bailis
  'monotonic-atomic-view': ['read-committed'], // Bailis
  'monotonic-view': ['read-committed'], // Adya
  'monotonic-snapshot-read': ['read-committed'], // Adya
  'read-committed': ['read-uncommitted'], // SQL, Adya
  'strong-read-committed': ['strong-session-read-committed', 'strong-read-uncommitted'], // Elle
  'strong-session-read-committed': ['read-committed', 'strong-session-read-uncommitted'], // Elle
  'strong-read-uncommitted': ['strong-session-read-uncommitted'], // Elle
  'strong-session-read-uncommitted': ['read-uncommitted'], // Elle
  'read-uncommitted': [],
};

/** Other names users give these models. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  'PL-1': 'read-uncommitted',
  'PL-2': 'read-committed',
  'PL-CS': 'cursor-stability',
  'PL-2L': 'monotonic-view',
  'PL-MSR': 'monotonic-snapshot-read',
  'PL-2+': 'consistent-view',
  'PL-FCV': 'forward-consistent-view',
  'PL-2.99': 'repeatable-read',
  'PL-SI': 'snapshot-isolation',
  'PL-3U': 'update-serializable',
  'PL-3': 'serializable',
  'conflict-serializable': 'serializable',
  'PL-SS': 'strict-serializable',
  'strong-serializable': 'strict-serializable',
};

/** Anomaly → anomalies it implies (a history with the first also has these). */
export const ANOMALY_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  G0: ['G1c', 'G0-process'], // Adya
  'G0-process': ['G1c-process', 'G0-realtime'], // processes are single-threaded
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'], // Adya: G1 is G1a, G1b or G1c
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'], // Adya: one rw edge in the DSG is one in the SSG
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'], // Adya
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  'G2-item': ['G2', 'G2-item-process'], // Adya
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'], // Adya
  GSIb: ['GSI'],
  'incompatible-order': ['G1a'], // Elle: two reads no single append order explains mean a dirty read
  'future-read': ['G1c'], // Elle: a transaction depending on its own later write
  'dirty-update': ['G1a'], // Elle: a committed write on top of an aborted one
  'lost-update': ['write-skew', 'G2-item'], // Bailis
  'write-skew': ['G2'], // Hermitage
  // faultline: an acknowledged append no later read shows is one anti-dependency against real time.
  'lost-append': ['G-single-item-realtime'],
};

/** Model → anomalies it rules out directly (the rest follow from implied models). */
export const MODEL_PROSCRIBES: Readonly<Record<string, readonly string[]>> = {
  'read-uncommitted': ['G0', 'duplicate-elements', 'cyclic-versions', 'garbage-read', 'PL-1-cycle-exists'], // Adya; Elle; faultline: a read of a value nobody wrote
  'read-committed': ['G1', 'PL-2-cycle-exists'], // Adya
  'cursor-stability': ['G1', 'G-cursor', 'lost-update'], // Adya, Bailis
  'monotonic-view': ['G1', 'G-monotonic'], // Adya
  'monotonic-snapshot-read': ['G1', 'G-MSR'], // Adya
  'consistent-view': ['G1', 'G-single'], // Adya
  'forward-consistent-view': ['G1', 'G-SIb'], // Adya
  'update-serializable': ['G1', 'G-update'], // Adya
  'repeatable-read': ['G1', 'G2-item', 'lost-update', 'PL-2.99-cycle-exists'], // Adya, Bailis
  'snapshot-isolation': ['internal', 'G1', 'GSI', 'G-nonadjacent', 'PL-SI-cycle-exists'], // Adya (G-SI: GSIa or GSIb), Cerone, Elle
  serializable: ['internal', 'G1', 'G2', 'PL-3-cycle-exists'], // Adya, Cerone
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'], // Adya
  'read-atomic': ['internal', 'G1a', 'future-read'], // Cerone
  'causal-cerone': ['internal', 'G1a'], // Cerone
  'parallel-snapshot-isolation': ['internal', 'G1a'], // Cerone
  prefix: ['internal', 'G1a'], // Cerone
  'update-atomic': ['lost-update'], // Cerone
  'strong-session-read-uncommitted': ['G0-process', 'strong-session-PL-1-cycle-exists'], // Elle
  'strong-session-read-committed': ['G1c-process', 'strong-session-PL-2-cycle-exists'], // Elle
  'strong-read-uncommitted': ['G0-realtime', 'strong-PL-1-cycle-exists'], // Elle
  'strong-read-committed': ['G1c-realtime', 'strong-PL-2-cycle-exists'], // Elle
  'strong-session-snapshot-isolation': ['internal', 'G1-process', 'G-nonadjacent-process', 'strong-session-snapshot-isolation-cycle-exists'], // Daudjee, Elle
  'strong-snapshot-isolation': ['internal', 'G1-realtime', 'G-nonadjacent-realtime', 'strong-snapshot-isolation-cycle-exists'], // Daudjee, Elle
  'strong-session-serializable': ['G1-process', 'G2-process', 'strong-session-serializable-cycle-exists'], // Daudjee
  'monotonic-atomic-view': [],
};

/** Anomalies that make a verdict unknown rather than false. */
export const UNKNOWN_ANOMALIES: ReadonlySet<string> = new Set(['cycle-search-timeout', 'empty-transaction-graph']);
