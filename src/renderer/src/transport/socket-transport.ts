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

/** The part of the browser WebSocket the transport uses (tests pass the `ws` package's). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

const OPEN = 1;

export interface SocketTransportOptions {
  /** Default: the browser's WebSocket. */
  createSocket?: WebSocketFactory;
  /** Bytes/messages received, for diagnostics. */
  onBytes?: (bytes: number) => void;
}

/**
 * The contract over the headless desk's WebSocket. Reconnects with capped backoff; every
 * (re)connect starts with a full snapshot from the server.
 */
export class SocketTransport implements Transport {
  private ws: WebSocketLike | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly createSocket: WebSocketFactory;
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: CommandOutcome) => void>();
  private readonly eventListeners = new Set<(event: DeskEvent) => void>();
  private readonly statusListeners = new Set<(status: TransportStatus) => void>();
  private status: TransportStatus = 'connecting';
  private retryMs = 250;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: SocketTransportOptions = {},
  ) {
    this.createSocket = opts.createSocket ?? ((u) => new WebSocket(u) as unknown as WebSocketLike);
    this.connect();
  }

  call<C extends CommandName>(name: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      if (!this.ws || this.ws.readyState !== OPEN) {
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
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.ws?.close();
    if (!this.ws) this.setStatus('closed');
  }

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  private setStatus(status: TransportStatus): void {
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }

  private connect(): void {
    this.retryTimer = null;
    this.setStatus('connecting');
    const ws = this.createSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.setStatus('open');
    };
    ws.onmessage = (ev) => {
      const text = String(ev.data);
      this.opts.onBytes?.(text.length);
      let msg: ServerMessage;
      try {
        msg = JSON.parse(text) as ServerMessage;
      } catch {
        console.warn('desk sent a message that is not JSON; ignored');
        return;
      }
      if (msg.kind === 'event') {
        for (const l of this.eventListeners) l(msg.event);
      } else if (msg.kind === 'reply') {
        this.pending.get(msg.id)?.(msg.outcome);
        this.pending.delete(msg.id);
      } else {
        console.warn('desk error:', msg.error.message);
      }
    };
    ws.onerror = () => {
      // onclose follows and reconnects
    };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'failed', message: 'connection to the desk closed' } });
      this.pending.clear();
      if (this.closed) {
        this.setStatus('closed');
        return;
      }
      this.setStatus('connecting');
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }
}
