import WebSocket from 'ws';
import type { SocketFactory } from './socket';

export interface WsSocketOptions {
  /** Largest frame accepted (default 16 MiB); larger frames close the socket with 1009. */
  maxPayload?: number;
  /** Offer permessage-deflate (Alpaca supports it; default true). */
  perMessageDeflate?: boolean;
  /** TCP + HTTP upgrade must finish within this (default 10 s). */
  handshakeTimeoutMs?: number;
}

/** `ws`-backed sockets. Each callback of `ws` is forwarded as is; `close` is always the last one. */
export function wsSocketFactory(opts: WsSocketOptions = {}): SocketFactory {
  return (url, headers, h) => {
    const ws = new WebSocket(url, {
      headers,
      maxPayload: opts.maxPayload ?? 16 * 1024 * 1024,
      perMessageDeflate: opts.perMessageDeflate ?? true,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
    });
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => h.open());
    ws.on('message', (data, isBinary) => h.message(data as Buffer, isBinary));
    ws.on('close', (code, reason) => h.close(code, reason.toString('utf8')));
    ws.on('error', (err) => h.error(err));
    ws.on('ping', () => h.ping());
    ws.on('pong', () => h.pong());
    ws.on('unexpected-response', (req, res) => {
      h.unexpectedResponse(res.statusCode ?? 0);
      res.resume();
      req.destroy();
      // ws does not emit 'close' for an aborted upgrade in every version: make sure it happens.
      ws.terminate();
    });
    return {
      send: (data) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(data);
      },
      ping: () => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      },
      close: (code, reason) => {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(code, reason);
      },
      terminate: () => ws.terminate(),
    };
  };
}
