/**
 * A node's slots: what it accepted as an acceptor (value and ballot per slot) and what it knows
 * is chosen, as a learner. `firstUnchosen` is the first slot not known chosen: every slot below
 * it is chosen and applied in order. Every change is also kept as a record for the disk:
 *
 *   {"s":7,"b":12,"c":{...}}   accepted command c for slot 7 at ballot 12
 *   {"s":7,"c":{...},"k":1}    learned that slot 7 chose c
 *   {"upTo":8}                 every slot below 8 is chosen
 *
 * Replaying the records in order rebuilds the slots (`SlotLog.replay`).
 */
import { RecordBuffer } from '../../src/node/json-disk.js';
import type { Command } from '../../src/node/kv/state-machine.js';
import type { SlotReport } from './messages.js';

export interface Slot {
  /** The ballot the value was accepted at (0 when only learned). */
  b: number;
  c: Command;
  chosen: boolean;
}

export type SlotRecord = { s: number; b: number; c: Command } | { s: number; c: Command; k: 1 } | { upTo: number };

export const NOOP: Command = { op: 'noop' };

export function sameCommand(a: Command, b: Command): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SlotLog {
  private readonly slots = new Map<number, Slot>();
  private first = 1;
  private top = 0;
  private readonly records = new RecordBuffer<SlotRecord>((upTo) => ({ upTo }), 1);

  /** Rebuild from records; stops at the first that does not fit. */
  static replay(records: readonly unknown[], warn: (message: string) => void = () => {}): SlotLog {
    const log = new SlotLog();
    for (const raw of records) {
      const r = raw as Partial<{ s: number; b: number; c: Command; k: 1; upTo: number }>;
      if (typeof r.upTo === 'number') {
        while (log.first < r.upTo && log.slots.get(log.first)) log.slots.get(log.first++)!.chosen = true;
      } else if (typeof r.s === 'number' && r.s >= 1 && typeof r.c === 'object' && r.c !== null) {
        if (r.k === 1) log.learn(r.s, r.c);
        else if (typeof r.b === 'number') log.accept(r.s, r.b, r.c);
      } else {
        warn('log recovery: record out of place; ignoring the rest');
        break;
      }
    }
    log.records.reset(log.first);
    return log;
  }

  get firstUnchosen(): number {
    return this.first;
  }

  /** The highest slot holding anything. */
  get maxSlot(): number {
    return this.top;
  }

  get(s: number): Slot | undefined {
    return this.slots.get(s);
  }

  /**
   * Accept `c` for slot `s` at ballot `b`. A slot known chosen keeps its value, which is what it
   * reports from then on: a leader proposing again what was chosen (as after a leader change)
   * proposes the same command. Another command (only bugs lead to one) is not stored; returns
   * false then.
   */
  accept(s: number, b: number, c: Command): boolean {
    const cur = this.slots.get(s);
    if (cur?.chosen && !sameCommand(cur.c, c)) return false;
    this.slots.set(s, { b, c, chosen: cur?.chosen ?? false });
    this.top = Math.max(this.top, s);
    this.records.push({ s, b, c });
    return true;
  }

  /** Learn that slot `s` chose `c`; false when it is known chosen with another value. */
  learn(s: number, c: Command): boolean {
    const cur = this.slots.get(s);
    if (cur?.chosen) return sameCommand(cur.c, c);
    this.slots.set(s, { b: cur?.b ?? 0, c, chosen: true });
    this.top = Math.max(this.top, s);
    this.records.push({ s, c, k: 1 });
    return true;
  }

  /** Mark slot `s` chosen with the value it holds (a majority accepted it). */
  markChosen(s: number): void {
    const cur = this.slots.get(s);
    if (cur) cur.chosen = true;
  }

  /** Move `firstUnchosen` past every chosen slot; returns the slots it passed, in order. */
  advance(): number[] {
    const passed: number[] = [];
    while (this.slots.get(this.first)?.chosen) passed.push(this.first++);
    return passed;
  }

  /** The highest ballot any value was accepted at. */
  maxBallot(): number {
    let max = 0;
    for (const slot of this.slots.values()) if (slot.b > max) max = slot.b;
    return max;
  }

  /** What this acceptor holds for every slot from `start` on (phase 1b). */
  reportFrom(start: number): SlotReport[] {
    const out: SlotReport[] = [];
    for (let s = start; s <= this.top; s++) {
      const slot = this.slots.get(s);
      if (slot) out.push(slot.chosen ? { s, b: slot.b, c: slot.c, k: true } : { s, b: slot.b, c: slot.c });
    }
    return out;
  }

  /** The records written since the last call (how far slots are known chosen rides along). */
  takeRecords(): SlotRecord[] {
    return this.records.take(this.first);
  }

}
