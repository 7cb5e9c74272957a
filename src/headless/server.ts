/**
 * The headless desk's network face: serves the built renderer over HTTP and bridges the contract
 * over a WebSocket at /ws. Loopback by default.
 *
 * Who may talk to it (docs: README, "Headless desk: threat model"):
 * - the Host header must name this desk (127.0.0.1, localhost, [::1], the bound host or a name
 *   given with `allowedHosts`), so a page reached through DNS rebinding is refused;
 * - a browser's Origin must be exactly one of those hosts on this port (`Origin: null` is refused);
 * - a per-run token is required on every request and upgrade, also on loopback: it arrives once in
 *   the URL the desk prints (`/?token=…`), is moved into an HttpOnly SameSite=Strict cookie, and
 *   the page is redirected to a URL without it. `insecureNoToken` (the CLI's
 *   `--unsafe-no-token`) turns the token off on loopback only: any local process — and any page
 *   whose request passes the Host/Origin checks — can then drive the desk.
 * Every handler of untrusted input is total: it answers or refuses, it never throws out.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Desk } from '../node/desk';
import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import { clientMessageSchema, type ServerMessage } from '../shared/contract';
import { capList, clip, describeValue } from '../shared/bounded';

export interface HeadlessOptions {
  desk: Desk;
  staticDir: string;
  host?: string;
  port?: number;
  /** The access token (≥ 16 chars); generated per run when omitted. */
  token?: string;
  /**
   * UNSAFE: no token on loopback (any local process or page that passes the Host/Origin checks
   * can drive the desk). Refused for a non-loopback bind.
   */
  insecureNoToken?: boolean;
  /** Extra host names this desk may be reached by (e.g. a reverse proxy's name); loopback names are always allowed. */
  allowedHosts?: readonly string[];
  logger?: Logger;
  /** Max bytes buffered per client before it is considered too slow and disconnected. */
  maxClientBufferBytes?: number;
  /** Largest WebSocket message accepted (bytes). */
  maxMessageBytes?: number;
  /** Snapshots (resync, snapshot.get) per client: a burst of `snapshotBurst`, refilled one per `snapshotRefillMs`. */
  snapshotBurst?: number;
  snapshotRefillMs?: number;
  /**
   * Snapshots per peer (remote address), whatever the number of its sockets: a burst of
   * `peerSnapshotBurst`, refilled one per `peerSnapshotRefillMs`. The first snapshot of a socket
   * counts too (a new connection is not a free snapshot).
   */
  peerSnapshotBurst?: number;
  peerSnapshotRefillMs?: number;
  /** Open WebSocket connections per peer (remote address); more are refused with 429. */
  maxConnectionsPerPeer?: number;
  /** Commands per client per second before the rest are refused (a flood). */
  maxMessagesPerSecond?: number;
}

export interface HeadlessServer {
  url: string;
  /** The URL to open: carries the token when one is required. */
  openUrl: string;
  host: string;
  port: number;
  /** The access token (null only with `insecureNoToken`). */
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

/** The host name of a Host header (lower-cased, port removed; IPv6 kept in brackets), or null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (header === undefined || header.length === 0 || header.length > 255) return null;
  const h = header.toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return m ? m[1]! : null;
}

/** The request target's path and query, or null when it cannot be parsed (never throws). */
function target(req: IncomingMessage): { pathname: string; query: URLSearchParams } | null {
  const raw = req.url ?? '/';
  if (raw.length > 8192 || !raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    const u = new URL(raw, 'http://localhost');
    return { pathname: u.pathname, query: u.searchParams };
  } catch {
    return null;
  }
}

/** The value of one cookie, or null. */
function cookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function refuse(socket: Duplex, status: string): void {
  try {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  } catch {
    socket.destroy();
  }
}

export async function startHeadlessServer(opts: HeadlessOptions): Promise<HeadlessServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? silentLogger;
  const loopback = isLoopback(host);
  if (opts.insecureNoToken && !loopback) throw new Error(`the token cannot be turned off when bound to ${host} (not loopback)`);
  if (opts.token !== undefined && opts.token.length < 16) throw new Error('the access token must be at least 16 characters');
  const token = opts.insecureNoToken ? null : (opts.token ?? randomBytes(24).toString('base64url'));
  const staticRoot = resolve(opts.staticDir);
  const maxBuffer = opts.maxClientBufferBytes ?? 8 * 1024 * 1024;
  const maxMessageBytes = opts.maxMessageBytes ?? 64 * 1024;
  const snapshotBurst = opts.snapshotBurst ?? 5;
  const snapshotRefillMs = opts.snapshotRefillMs ?? 1000;
  const maxPerSecond = opts.maxMessagesPerSecond ?? 200;
  const peerSnapshotBurst = opts.peerSnapshotBurst ?? 10;
  const peerSnapshotRefillMs = opts.peerSnapshotRefillMs ?? 500;
  const maxConnectionsPerPeer = opts.maxConnectionsPerPeer ?? 32;
  const { desk } = opts;

  // Filled in once the port is known: the exact origins a browser page of this desk sends.
  const allowedHosts = new Set<string>(['127.0.0.1', 'localhost', '[::1]']);
  const bare = host.toLowerCase();
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  if (bare !== '0.0.0.0' && bare !== '::' && bare !== '[::]') allowedHosts.add(bracket(bare));
  else {
    // Bound to every interface: this machine's addresses and its host name are its names.
    allowedHosts.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) allowedHosts.add(bracket(a.address.toLowerCase()));
  }
  for (const h of opts.allowedHosts ?? []) allowedHosts.add(h.toLowerCase());
  const allowedOrigins = new Set<string>();
  let cookieName = 'live_desk_token';

  /** Host, Origin and token checks shared by HTTP requests and upgrades: null when allowed. */
  function check(req: IncomingMessage, query: URLSearchParams | null): { status: string; why: string } | null {
    const name = hostName(typeof req.headers.host === 'string' ? req.headers.host : undefined);
    if (name === null || !allowedHosts.has(name)) return { status: '421 Misdirected Request', why: 'host not allowed' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return { status: '403 Forbidden', why: 'origin not allowed' };
    if (token !== null) {
      const given = query?.get('token') ?? cookie(req, cookieName) ?? '';
      if (!tokensEqual(given, token)) return { status: '401 Unauthorized', why: 'bad or missing token' };
    }
    return null;
  }

  const server: Server = createServer((req, res) => {
    try {
      handleHttp(req, res);
    } catch (err) {
      logger.warn('http request failed', { message: clip(err instanceof Error ? err.message : String(err)) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 64;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => refuse(socket, '400 Bad Request'));

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const t = target(req);
    if (t === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request target');
      return;
    }
    const denied = check(req, t.query);
    if (denied) {
      const help =
        denied.status.startsWith('401')
          ? 'Live Desk: open the address the desk printed when it started (it carries the access token).'
          : `Live Desk: request refused (${denied.why}).`;
      res.writeHead(Number(denied.status.slice(0, 3)), { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(help);
      return;
    }
    if (token !== null && t.query.has('token')) {
      // First load: keep the token in a cookie the page's scripts cannot read, and drop it from the URL.
      const rest = new URLSearchParams(t.query);
      rest.delete('token');
      const qs = rest.toString();
      res
        .writeHead(303, {
          'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          Location: `${t.pathname}${qs ? `?${qs}` : ''}`,
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        })
        .end();
      return;
    }
    void serveStatic(staticRoot, t.pathname, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  // Per peer (remote address): open connections and a snapshot token bucket shared by its sockets,
  // so opening more connections does not buy more snapshots.
  const connectionsByPeer = new Map<string, number>();
  const peerBuckets = new Map<string, { tokens: number; refilledAt: number }>();
  const peerOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';
  const takePeerToken = (peer: string): boolean => {
    const now = Date.now();
    let b = peerBuckets.get(peer);
    if (!b) {
      b = { tokens: peerSnapshotBurst, refilledAt: now };
      peerBuckets.set(peer, b);
    }
    const refill = Math.floor((now - b.refilledAt) / peerSnapshotRefillMs);
    if (refill > 0) {
      b.tokens = Math.min(peerSnapshotBurst, b.tokens + refill);
      b.refilledAt += refill * peerSnapshotRefillMs;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  };
  const peerSweep = setInterval(() => {
    const now = Date.now();
    for (const [peer, b] of peerBuckets) {
      if (!connectionsByPeer.has(peer) && b.tokens + Math.floor((now - b.refilledAt) / peerSnapshotRefillMs) >= peerSnapshotBurst) peerBuckets.delete(peer);
    }
  }, 60_000);
  peerSweep.unref();
  server.on('upgrade', (req, socket, head) => {
    try {
      const t = target(req);
      if (t === null) {
        refuse(socket, '400 Bad Request');
        return;
      }
      if (t.pathname !== '/ws') {
        refuse(socket, '404 Not Found');
        return;
      }
      const denied = check(req, t.query);
      if (denied) {
        // Named, never echoed: the Origin/Host of a refused request is attacker text.
        logger.warn(`websocket refused: ${denied.why}`, { origin: describeValue(req.headers.origin), host: describeValue(req.headers.host) });
        refuse(socket, denied.status);
        return;
      }
      const peer = peerOf(req);
      if ((connectionsByPeer.get(peer) ?? 0) >= maxConnectionsPerPeer) {
        logger.warn('websocket refused: too many connections from one peer', { limit: maxConnectionsPerPeer });
        refuse(socket, '429 Too Many Requests');
        return;
      }
      connectionsByPeer.set(peer, (connectionsByPeer.get(peer) ?? 0) + 1);
      let counted = true;
      const release = (): void => {
        if (!counted) return;
        counted = false;
        const n = (connectionsByPeer.get(peer) ?? 1) - 1;
        if (n <= 0) connectionsByPeer.delete(peer);
        else connectionsByPeer.set(peer, n);
      };
      socket.once('close', release);
      wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, peer));
    } catch (err) {
      logger.warn('websocket upgrade failed', { message: clip(err instanceof Error ? err.message : String(err)) });
      refuse(socket, '400 Bad Request');
    }
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

  /**
   * Bytes of snapshots queued to each socket and not yet handed to the OS: a snapshot a client
   * asked for is sent whole, and the backlog rule (for a client that does not keep up with the
   * events) applies to what is buffered beyond it.
   */
  const snapshotBytesInFlight = new WeakMap<WebSocket, number>();

  function backlog(ws: WebSocket): number {
    return ws.bufferedAmount - (snapshotBytesInFlight.get(ws) ?? 0);
  }

  function sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (backlog(ws) > maxBuffer) {
      logger.warn('closing slow websocket client', { buffered: ws.bufferedAmount });
      ws.close(1013, 'client too slow');
      return;
    }
    ws.send(text);
  }

  function sendError(ws: WebSocket, code: 'invalid_payload' | 'failed', message: string): void {
    send(ws, { kind: 'error', error: { code, message: clip(message, 1000) } });
  }

  /** A full snapshot at the desk's current seq: the client applies events with a higher seq after it. */
  function sendSnapshot(ws: WebSocket): void {
    if (ws.readyState !== ws.OPEN) return;
    const text = JSON.stringify({ kind: 'event', event: desk.snapshotEvent() } satisfies ServerMessage);
    const bytes = Buffer.byteLength(text);
    snapshotBytesInFlight.set(ws, (snapshotBytesInFlight.get(ws) ?? 0) + bytes);
    ws.send(text, () => snapshotBytesInFlight.set(ws, Math.max(0, (snapshotBytesInFlight.get(ws) ?? 0) - bytes)));
  }

  const timers = new Set<ReturnType<typeof setTimeout>>();

  function attachClient(ws: WebSocket, peer: string): void {
    // Snapshots are the expensive answer (hundreds of kB): a token bucket per client, and a request
    // over the rate is deferred (one at most) rather than built — the client still gets its snapshot.
    let tokens = snapshotBurst;
    let refilledAt = Date.now();
    let deferred: ReturnType<typeof setTimeout> | null = null;
    let windowStart = Date.now();
    let windowCount = 0;
    let floodWarned = false;

    const takeToken = (): boolean => {
      if (!takePeerToken(peer)) return false;
      const now = Date.now();
      const refill = Math.floor((now - refilledAt) / snapshotRefillMs);
      if (refill > 0) {
        tokens = Math.min(snapshotBurst, tokens + refill);
        refilledAt += refill * snapshotRefillMs;
      }
      if (tokens <= 0) return false;
      tokens--;
      return true;
    };
    /** Answers a resync: now when the rate and the client's backlog allow, else once, later. */
    const snapshotRequested = (): void => {
      if (deferred !== null) return; // one is already on its way: the extra requests are absorbed
      // Everything buffered counts here, snapshots in flight included: a client still receiving one
      // does not get another built on top of it.
      if (ws.bufferedAmount <= maxBuffer / 4 && takeToken()) {
        sendSnapshot(ws);
        clients.add(ws); // a first snapshot that was deferred: the socket joins the broadcast now
        return;
      }
      deferred = setTimeout(function retry() {
        timers.delete(deferred!);
        deferred = null;
        if (ws.readyState !== ws.OPEN) return;
        snapshotRequested();
      }, snapshotRefillMs);
      timers.add(deferred);
    };

    // Snapshot first, then join the broadcast: both happen in this turn, so no event falls between.
    // The first snapshot costs a token of the peer's bucket too; when the peer has none left it is
    // deferred (the socket joins the broadcast when it is sent), never skipped.
    snapshotRequested();
    ws.on('message', (data, isBinary) => {
      try {
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          windowCount = 0;
          floodWarned = false;
        }
        if (++windowCount > maxPerSecond) {
          if (!floodWarned) {
            floodWarned = true;
            sendError(ws, 'failed', `too many messages: at most ${maxPerSecond} per second; the rest of this second are ignored`);
          }
          return;
        }
        if (isBinary) {
          sendError(ws, 'invalid_payload', 'binary frames are not accepted');
          return;
        }
        let raw: unknown;
        try {
          raw = JSON.parse(data.toString());
        } catch {
          sendError(ws, 'invalid_payload', 'message is not valid JSON');
          return;
        }
        const parsed = clientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          const { items, omitted } = capList(parsed.error.issues, 5);
          const list = items.map((i) => `${clip(i.path.join('.'), 80) || '(root)'}: ${clip(i.message, 200)}`).join('; ');
          sendError(ws, 'invalid_payload', `bad message: ${list}${omitted ? ` (and ${omitted} more)` : ''}`);
          return;
        }
        const msg = parsed.data;
        if (msg.kind === 'resync') {
          snapshotRequested();
          return;
        }
        if (msg.name === 'snapshot.get' && !takeToken()) {
          send(ws, { kind: 'reply', id: msg.id, outcome: { ok: false, error: { code: 'failed', message: `snapshot.get refused: at most ${snapshotBurst} snapshots at once, then one per ${snapshotRefillMs} ms` } } });
          return;
        }
        void desk.handle(msg.name, msg.payload).then(
          (outcome) => send(ws, { kind: 'reply', id: msg.id, outcome }),
          (err: unknown) => send(ws, { kind: 'reply', id: msg.id, outcome: { ok: false, error: { code: 'failed', message: clip(err instanceof Error ? err.message : String(err)) } } }),
        );
      } catch (err) {
        logger.warn('websocket message failed', { message: clip(err instanceof Error ? err.message : String(err)) });
      }
    });
    ws.on('close', () => {
      clients.delete(ws);
      if (deferred !== null) {
        clearTimeout(deferred);
        timers.delete(deferred);
        deferred = null;
      }
    });
    ws.on('error', (err) => logger.warn('websocket client error', { message: clip(err.message) }));
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
  cookieName = `live_desk_token_${address.port}`; // cookies ignore ports: one name per desk
  for (const h of allowedHosts) allowedOrigins.add(`http://${h}:${address.port}`);

  return {
    url,
    openUrl: token ? `${url}?token=${token}` : url,
    host,
    port: address.port,
    token,
    clientCount: () => wss.clients.size,
    close: async () => {
      unsubscribeDesk();
      clients.clear();
      clearInterval(peerSweep);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

async function serveStatic(root: string, rawPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    pathname = decodeURIComponent(rawPath);
  } catch {
    res.writeHead(400, headers).end('bad path');
    return;
  }
  if (pathname.includes('\0')) {
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
