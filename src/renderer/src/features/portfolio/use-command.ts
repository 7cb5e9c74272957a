import { useCallback, useState } from 'react';
import type { CommandError, CommandName, CommandOutcome, CommandPayload, CommandResult } from '@shared/contract';
import { useTransport } from '../../transport/context';

export interface CommandState<C extends CommandName> {
  pending: boolean;
  error: CommandError | null;
  result: CommandResult<C> | null;
  /** Resolves with the outcome (never rejects). */
  run: (payload: CommandPayload<C>) => Promise<CommandOutcome<C>>;
  clear: () => void;
}

/** Sends one kind of command and keeps its pending/error/result for the UI. */
export function useCommand<C extends CommandName>(name: C): CommandState<C> {
  const transport = useTransport();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [result, setResult] = useState<CommandResult<C> | null>(null);
  const run = useCallback(
    async (payload: CommandPayload<C>) => {
      setPending(true);
      try {
        const outcome = await transport.call(name, payload);
        if (outcome.ok) {
          setError(null);
          setResult(outcome.result);
        } else setError(outcome.error);
        return outcome;
      } finally {
        setPending(false);
      }
    },
    [transport, name],
  );
  const clear = useCallback(() => setError(null), []);
  return { pending, error, result, run, clear };
}
