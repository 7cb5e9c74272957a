/**
 * A credential value that cannot leak by accident: it prints, serializes and inspects as
 * "[redacted]" (logs, JSON, IPC structured clone — the value lives in a private field, which a
 * clone does not copy). Only `reveal()` gives the value, at the one place that sends it to a broker.
 */
const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}
