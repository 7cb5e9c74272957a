import { createContext, useContext } from 'react';
import type { Transport } from '@shared/contract';

export const TransportContext = createContext<Transport | null>(null);

/** Feature hooks reach the backend only through this; components never call a transport directly. */
export function useTransport(): Transport {
  const t = useContext(TransportContext);
  if (!t) throw new Error('TransportContext is missing');
  return t;
}
