import { useMemo } from 'react';
import { useDeskStore } from '../../stores/desk-store';
import { useTransport } from '../../transport/context';
import type { QuoteWire } from '@shared/contract';

export function useQuotes(): { quotes: QuoteWire[]; clockOffsetMs: number } {
  const bySymbol = useDeskStore((s) => s.quotes);
  const clockOffsetMs = useDeskStore((s) => s.clockOffsetMs);
  const quotes = useMemo(() => Object.values(bySymbol).sort((a, b) => a.symbol.localeCompare(b.symbol)), [bySymbol]);
  return { quotes, clockOffsetMs };
}

export function useStreamingControls(): { streaming: boolean; start: () => void; stop: () => void } {
  const transport = useTransport();
  const streaming = useDeskStore((s) => s.streaming);
  return {
    streaming,
    start: () => void transport.call('stream.start', {}),
    stop: () => void transport.call('stream.stop', {}),
  };
}
