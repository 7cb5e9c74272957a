/**
 * The socket the stream manager drives, as a small interface so unit tests can use an in-memory
 * fake and production uses `ws` (see ws-socket.ts).
 */
export interface StreamSocket {
  send(data: string | Uint8Array): void;
  ping(): void;
  /** Graceful close (frees the venue's connection slot at once). */
  close(code?: number, reason?: string): void;
  /** Immediate teardown (for a socket that is stalled or misbehaving). */
  terminate(): void;
}

export interface SocketHandlers {
  open(): void;
  message(data: Buffer, isBinary: boolean): void;
  /** Always the last callback of a socket, whatever happened before. */
  close(code: number, reason: string): void;
  error(err: Error): void;
  /** The HTTP upgrade was answered with a non-101 status (e.g. 401, 404, 429). */
  unexpectedResponse(status: number): void;
  ping(): void;
  pong(): void;
}

export type SocketFactory = (url: string, headers: Record<string, string>, handlers: SocketHandlers) => StreamSocket;
