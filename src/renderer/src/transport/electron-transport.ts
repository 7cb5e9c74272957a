import type { CommandName, CommandOutcome, CommandPayload, DeskEvent, PreloadApi, Transport, TransportStatus } from '@shared/contract';

/** The contract over Electron IPC, through the preload's `window.api`. */
export class ElectronTransport implements Transport {
  constructor(private readonly api: PreloadApi) {}

  call<C extends CommandName>(name: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>> {
    return this.api.invoke(name, payload) as Promise<CommandOutcome<C>>;
  }

  onEvent(listener: (event: DeskEvent) => void): () => void {
    return this.api.onEvent(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    listener('open');
    return () => {};
  }

  resync(): void {
    this.api.resync();
  }
}
