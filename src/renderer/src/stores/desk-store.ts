import { create } from 'zustand';
import type { Transport, TransportStatus } from '@shared/contract';
import { initialDeskState, reduceDesk, type DeskState } from './desk-state';

interface DeskStore extends DeskState {
  connection: TransportStatus;
}

/** Snapshot store: written only by the transport (see `bindTransport`), read through selectors. */
export const useDeskStore = create<DeskStore>(() => ({ ...initialDeskState, connection: 'connecting' }));

export function bindTransport(transport: Transport): () => void {
  const offEvent = transport.onEvent((event) => {
    const { state, needResync } = reduceDesk(useDeskStore.getState(), event, Date.now());
    useDeskStore.setState(state);
    if (needResync) transport.resync();
  });
  const offStatus = transport.onStatus((connection) => {
    useDeskStore.setState(connection === 'open' ? { connection } : { connection, awaitingSnapshot: true });
  });
  // Electron IPC has no connect moment: ask for the first snapshot explicitly (a no-op on a socket
  // that is still connecting; the server sends one on every connect).
  transport.resync();
  return () => {
    offEvent();
    offStatus();
  };
}
