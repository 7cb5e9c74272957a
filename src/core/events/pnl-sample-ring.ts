import type { PnlSample, PnlSampleSink } from '../ports/pnl-sample-sink';

/**
 * The day's P&L curve in memory (bounded ring, oldest dropped first), so the chart works without a
 * ledger. 24 h at one sample per 5 s is 17,280 points per currency; the default capacity covers a
 * day for a few currencies.
 */
export class PnlSampleRing implements PnlSampleSink {
  private buf: PnlSample[] = [];
  private head = 0;

  constructor(readonly capacity = 50_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  record(samples: readonly PnlSample[]): void {
    for (const s of samples) {
      if (this.buf.length < this.capacity) this.buf.push(s);
      else {
        this.buf[this.head] = s;
        this.head = (this.head + 1) % this.capacity;
      }
    }
  }

  /** Oldest first. */
  all(): PnlSample[] {
    return this.head === 0 ? this.buf.slice() : this.buf.slice(this.head).concat(this.buf.slice(0, this.head));
  }

  get size(): number {
    return this.buf.length;
  }

  clear(): void {
    this.buf = [];
    this.head = 0;
  }
}

/** Fans samples out to several sinks (the ring and, later, the ledger); one failing sink does not stop the others. */
export function teeSinks(sinks: readonly PnlSampleSink[], onError: (err: unknown) => void): PnlSampleSink {
  return {
    record(samples) {
      for (const s of sinks) {
        try {
          s.record(samples);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}
