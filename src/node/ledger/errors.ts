import type { LedgerErrorCode, LedgerErrorLike } from '../../core/ports/ledger-store';

/** An error the ledger raises on purpose: the message names what is wrong and where. */
export class LedgerError extends Error implements LedgerErrorLike {
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
  }
}

export function isLedgerError(err: unknown, code?: LedgerErrorCode): err is LedgerError {
  return err instanceof LedgerError && (code === undefined || err.code === code);
}
