/**
 * A fixed-capacity FIFO ring buffer. When full, `push` drops the OLDEST item and reports it: for a
 * price feed the newest frame carries the newest prices, so the oldest one is the least valuable.
 * (Control frames are rare and only matter during the handshake, when data volume is nil.)
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Items dropped since creation. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Adds an item; returns true when an older item had to be dropped to make room. */
  push(item: T): boolean {
    if (this.count === this.capacity) {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
      return true;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return false;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  get length(): number {
    return this.count;
  }
}
