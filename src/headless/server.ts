/**
 * The headless desk's network face: serves the built renderer over HTTP and bridges the contract
 * over a WebSocket at /ws. Loopback by default; any other bind address requires the access token
 * (checked on the WebSocket upgrade).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Desk } from '../node/desk';
import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import { clientMessageSchema, type ServerMessage } from '../shared/contract';

export interface HeadlessOptions {
  desk: Desk;
  staticDir: string;
  host?: string;
  port?: number;
  /** Required when host is not loopback; generated when omitted there. */
  token?: string;
  /** Require the token even on loopback (default: only when bound elsewhere). */
  requireToken?: boolean;
  logger?: Logger;
  /** Max bytes buffered per client before it is considered too slow and disconnected. */
  maxClientBufferBytes?: number;
}

export interface HeadlessServer {
  url: string;
  host: string;
  port: number;
  /** The access token, when one is required (non-loopback bind). */
  token: string | null;
  clientCount(): number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export async function startHeadlessServer(opts: HeadlessOptions): Promise<HeadlessServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? silentLogger;
  const loopback = isLoopback(host);
  const token = loopback && !opts.requireToken ? null : (opts.token ?? randomBytes(24).toString('base64url'));
  const staticRoot = resolve(opts.staticDir);
  const maxBuffer = opts.maxClientBufferBytes ?? 8 * 1024 * 1024;
  const { desk } = opts;

  const server: Server = createServer((req, res) => {
    void serveStatic(staticRoot, req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    // Reject cross-site pages: a browser always sends Origin; it must be this server.
    const origin = req.headers.origin;
    if (origin !== undefined && new URL(origin).host !== req.headers.host) {
      logger.warn('websocket refused: foreign origin', { origin });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (token !== null) {
      const given = url.searchParams.get('token') ?? '';
      if (!tokensEqual(given, token)) {
        logger.warn('websocket refused: bad or missing token');
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws));
  });

  function send(ws: WebSocket, msg: ServerMessage): void {
    sendText(ws, JSON.stringify(msg));
  }

  // Every event is serialized once and the same text goes to every client (not once per client).
  const clients = new Set<WebSocket>();
  const unsubscribeDesk = desk.subscribe((event) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ kind: 'event', event } satisfies ServerMessage);
    for (const ws of clients) sendText(ws, text);
  });

  function sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > maxBuffer) {
      logger.warn('closing slow websocket client', { buffered: ws.bufferedAmount });
      ws.close(1013, 'client too slow');
      return;
    }
    ws.send(text);
  }

  /** A full snapshot at the desk's current seq: the client applies events with a higher seq after it. */
  function sendSnapshot(ws: WebSocket): void {
    send(ws, { kind: 'event', event: desk.snapshotEvent() });
  }

  function attachClient(ws: WebSocket): void {
    // Snapshot first, then join the broadcast: both happen in this turn, so no event falls between.
    sendSnapshot(ws);
    clients.add(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, { kind: 'error', error: { code: 'invalid_payload', message: 'binary frames are not accepted' } });
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        send(ws, { kind: 'error', error: { code: 'invalid_payload', message: 'message is not valid JSON' } });
        return;
      }
      const parsed = clientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        send(ws, {
          kind: 'error',
          error: { code: 'invalid_payload', message: `bad message: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` },
        });
        return;
      }
      const msg = parsed.data;
      if (msg.kind === 'resync') {
        sendSnapshot(ws);
        return;
      }
      void desk.handle(msg.name, msg.payload).then((outcome) => send(ws, { kind: 'reply', id: msg.id, outcome }));
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (err) => logger.warn('websocket client error', { message: err.message }));
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}/`;

  return {
    url,
    host,
    port: address.port,
    token,
    clientCount: () => wss.clients.size,
    close: async () => {
      unsubscribeDesk();
      clients.clear();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400, headers).end('bad path');
    return;
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end('forbidden');
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
  }
}
