import type { SocketFactory, SocketHandlers, StreamSocket } from '../../../../src/node/stream/socket';
import type { Cancel } from '../../../../src/core/ports/clock';

/** An in-memory socket: the test plays the venue. */
export class FakeSocket implements StreamSocket {
  readonly sent: (string | Uint8Array)[] = [];
  pings = 0;
  closed = false;
  closeCode: number | null = null;

  constructor(
    readonly url: string,
    readonly headers: Record<string, string>,
    private readonly h: SocketHandlers,
  ) {}

  open(): void {
    this.h.open();
  }

  /** The venue sends a JSON text frame. */
  recv(msg: unknown): void {
    this.h.message(Buffer.from(typeof msg === 'string' ? msg : JSON.stringify(msg)), false);
  }

  recvBinary(data: Uint8Array): void {
    this.h.message(Buffer.from(data), true);
  }

  pong(): void {
    this.h.pong();
  }

  upgradeRefused(status: number): void {
    this.h.unexpectedResponse(status);
    this.serverClose(1006);
  }

  serverClose(code = 1006, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.h.close(code, reason);
  }

  sentJson(): Record<string, unknown>[] {
    return this.sent.map((d) => JSON.parse(typeof d === 'string' ? d : Buffer.from(d).toString('utf8')) as Record<string, unknown>);
  }

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  ping(): void {
    this.pings++;
  }

  close(code = 1000): void {
    this.serverClose(code);
  }

  terminate(): void {
    this.serverClose(1006);
  }
}

export class FakeNet {
  readonly sockets: FakeSocket[] = [];
  readonly factory: SocketFactory = (url, headers, h) => {
    const s = new FakeSocket(url, headers, h);
    this.sockets.push(s);
    return s;
  };

  get last(): FakeSocket {
    return this.sockets[this.sockets.length - 1]!;
  }
}

/** A manual "next turn" scheduler for the drain loop. */
export class ManualDefer {
  private fns: (() => void)[] = [];
  readonly defer = (fn: () => void): Cancel => {
    this.fns.push(fn);
    return () => {
      this.fns = this.fns.filter((f) => f !== fn);
    };
  };

  get pending(): number {
    return this.fns.length;
  }

  /** Runs queued turns (and the turns they queue) until none are left. */
  run(maxTurns = 1000): void {
    for (let i = 0; i < maxTurns && this.fns.length > 0; i++) this.fns.shift()!();
  }
}
