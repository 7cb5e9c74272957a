import type {
  ClientMessage,
  CommandName,
  CommandOutcome,
  CommandPayload,
  DeskEvent,
  ServerMessage,
  Transport,
  TransportStatus,
} from '@shared/contract';

/**
 * The contract over the headless desk's WebSocket. Reconnects with capped backoff; every
 * (re)connect starts with a full snapshot from the server.
 */
export class SocketTransport implements Transport {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: CommandOutcome) => void>();
  private readonly eventListeners = new Set<(event: DeskEvent) => void>();
  private readonly statusListeners = new Set<(status: TransportStatus) => void>();
  private status: TransportStatus = 'connecting';
  private retryMs = 250;
  private closed = false;

  constructor(private readonly url: string) {
    this.connect();
  }

  call<C extends CommandName>(name: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        resolve({ ok: false, error: { code: 'failed', message: 'not connected to the desk' } });
        return;
      }
      this.pending.set(id, resolve as (o: CommandOutcome) => void);
      this.send({ kind: 'call', id, name, payload });
    });
  }

  onEvent(listener: (event: DeskEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  resync(): void {
    this.send({ kind: 'resync' });
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private setStatus(status: TransportStatus): void {
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }

  private connect(): void {
    this.setStatus('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.setStatus('open');
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      if (msg.kind === 'event') {
        for (const l of this.eventListeners) l(msg.event);
      } else if (msg.kind === 'reply') {
        this.pending.get(msg.id)?.(msg.outcome);
        this.pending.delete(msg.id);
      } else {
        console.warn('desk error:', msg.error.message);
      }
    };
    ws.onclose = () => {
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'failed', message: 'connection to the desk closed' } });
      this.pending.clear();
      if (this.closed) {
        this.setStatus('closed');
        return;
      }
      this.setStatus('connecting');
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }
}
