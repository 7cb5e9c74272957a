import { create, type StoreApi } from 'zustand';
import type { Transport, TransportStatus } from '@shared/contract';
import { initialDeskState, reduceDesk, type DeskState } from './desk-state';

export interface DeskStore extends DeskState {
  connection: TransportStatus;
}

/**
 * The snapshot store: written only by the transport (see `bindTransport`), read through selectors
 * (selectors.ts) or the hooks in hooks.ts. Components never write it.
 */
export const useDeskStore = create<DeskStore>(() => ({ ...initialDeskState, connection: 'connecting' }));

/** A separate store with the same shape (tests, a second window). */
export function createDeskStore(): StoreApi<DeskStore> {
  return create<DeskStore>(() => ({ ...initialDeskState, connection: 'connecting' }));
}

/** Feeds the store from a transport: events through the pure reducer, a resync on any seq gap. */
export function bindTransport(transport: Transport, store: Pick<StoreApi<DeskStore>, 'getState' | 'setState'> = useDeskStore): () => void {
  const offEvent = transport.onEvent((event) => {
    const { state, needResync } = reduceDesk(store.getState(), event, Date.now());
    store.setState(state);
    if (needResync) transport.resync();
  });
  const offStatus = transport.onStatus((connection) => {
    store.setState(connection === 'open' ? { connection } : { connection, awaitingSnapshot: true });
  });
  // Electron IPC has no connect moment: ask for the first snapshot explicitly (a no-op on a socket
  // that is still connecting; the server sends one on every connect).
  transport.resync();
  return () => {
    offEvent();
    offStatus();
  };
}
