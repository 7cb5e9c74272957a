/**
 * Issue 15 item 8: the wire's alert event is the core's Alert (plus the event's type and seq), not a
 * hand-copied list of its fields — a field added to Alert reaches the renderer and the shell.
 * Checked by the type checker (npm run typecheck compiles the tests).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Alert } from '../../../src/core/alerts/types';
import type { AlertEvent } from '../../../src/shared/contract';

describe('AlertEvent', () => {
  it('is the core Alert on the wire', () => {
    expectTypeOf<Omit<AlertEvent, 'type' | 'seq'>>().toEqualTypeOf<Alert>();
  });
});
