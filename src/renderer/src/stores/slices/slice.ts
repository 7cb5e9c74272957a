/**
 * A store slice: one domain's part of the renderer's picture of the desk, with its initial value,
 * how a snapshot sets it and how a sequenced event changes it. The store (../desk-state.ts) is the
 * slices side by side (one flat object, so components select fields directly); the combined reducer
 * hands each event to every slice in order, each slice seeing the state the earlier ones made.
 */
import type { DeskEvent, DeskSnapshot } from '@shared/contract';

export interface Slice<S extends object, Whole extends S = S> {
  readonly name: string;
  readonly initial: S;
  /** This slice from a snapshot; `prev` is the store before it, `next` holds the earlier slices' new values. */
  fromSnapshot(snapshot: DeskSnapshot, next: Whole, prev: Whole): S;
  /**
   * This slice after one in-order event at server time `now` (null: unchanged). `state` holds the
   * earlier slices' new values, `prev` the store before the event.
   */
  reduce(state: Whole, event: Exclude<DeskEvent, { type: 'snapshot' }>, now: number, prev: Whole): Partial<S> | null;
}

/** Appends with a bound; trims in chunks so appends stay amortized O(1). */
export function appendBounded<T>(list: readonly T[], items: readonly T[], limit: number): T[] {
  const next = list.concat(items);
  return next.length > limit * 1.2 ? next.slice(next.length - limit) : next;
}

/** Bounds of the in-memory lists (the SQLite ledger keeps everything). */
export const LIMITS = { history: 5000, fills: 2000, orders: 1000, pnlSamples: 20_000 } as const;
