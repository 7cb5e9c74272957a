/**
 * Delta Exchange REST (docs/protocols/delta.md §4): signed calls (HMAC-SHA256 over
 * METHOD + timestamp + path + query + body, a fresh timestamp per attempt), the
 * `{success, result, meta}` / `{success:false, error}` envelope, and the rate limit: a client-side
 * budget of weighted units per fixed 5-minute window (10,000 by the docs; products/tickers weigh 3,
 * orders 5, fills/history 10) and on HTTP 429 a wait of `X-RATE-LIMIT-RESET` ms (bounded) before a
 * read is retried. Auth errors (401/403, InvalidApiKey, SignatureExpired after one fresh retry,
 * UnauthorizedApiAccess, ip_not_whitelisted…) are the session's: `onSessionRefused` → session_needed.
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import { VenueError } from '../../../core/ports/venue';
import type { DeltaProduct } from '../../../core/model/delta-symbols';
import { signedHeaders, type DeltaCredentials } from './signing';
import { fillRecordSchema, orderRecordSchema, parseRestTicker, positionRecordSchema, type DeltaFill, type DeltaOrderRecord, type DeltaPositionRecord, type DeltaTicker } from './parsers';

export interface DeltaRestOptions {
  baseUrl: string;
  credentials: () => DeltaCredentials | null;
  clock: Clock & Scheduler;
  logger?: Logger;
  /** Units per fixed window kept client-side (default 9,000: under Delta's 10,000). */
  unitsPerWindow?: number;
  windowMs?: number;
  timeoutMs?: number;
  /** Longest wait for a rate-limit reset before failing instead (default 30 s). */
  maxWaitMs?: number;
  onSessionRefused?: (status: number, message: string) => void;
  onError?: (message: string) => void;
  onSuccess?: (at: number) => void;
}

/** Auth failures by Delta's error code (§4.2): the session is the user's to renew. */
const AUTH_CODES = new Set(['SignatureExpired', 'InvalidApiKey', 'UnauthorizedApiAccess', 'ip_not_whitelisted_for_api_key', 'Signature Mismatch', 'invalid_api_key', 'expired_signature', 'unauthorized', 'Unauthorized', 'api_key_not_found', 'invalid_signature']);

const productSchema = z
  .object({
    id: z.number().int(),
    symbol: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    contract_type: z.string().max(64),
    state: z.string().max(32).optional(),
    contract_value: z.union([z.string().max(32), z.number()]).transform(String),
    tick_size: z.union([z.string().max(32), z.number()]).transform(String),
    settlement_time: z.string().max(64).nullable().optional(),
    strike_price: z.union([z.string().max(32), z.number()]).transform(String).nullable().optional(),
    underlying_asset: z.object({ symbol: z.string().max(16) }).optional(),
    quoting_asset: z.object({ symbol: z.string().max(16) }).optional(),
    settling_asset: z.object({ symbol: z.string().max(16) }).optional(),
  })
  .passthrough();

export type DeltaProductRecord = DeltaProduct & { id: number; contract_type: string; state?: string };

const envelope = z.object({ success: z.boolean(), result: z.unknown().optional(), meta: z.object({ after: z.string().nullable().optional() }).passthrough().nullable().optional(), error: z.unknown().optional() }).passthrough();

export interface DeltaOrderBody {
  product_id: number;
  product_symbol?: string;
  size: number;
  side: 'buy' | 'sell';
  order_type: 'limit_order' | 'market_order';
  limit_price?: string;
  time_in_force?: 'gtc' | 'ioc';
  client_order_id: string;
  reduce_only?: boolean;
  post_only?: boolean;
}

export class DeltaRestClient {
  private readonly o: Required<Omit<DeltaRestOptions, 'logger' | 'onSessionRefused' | 'onError' | 'onSuccess'>> & Pick<DeltaRestOptions, 'onSessionRefused' | 'onError' | 'onSuccess'> & { logger: Logger };
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly inflight = new Set<http.ClientRequest>();
  private readonly waits = new Set<{ cancel: Cancel; reject: (e: Error) => void }>();
  private window = { start: 0, used: 0 };
  private blockedUntil = 0;
  /** Delta's clock minus ours (ms) applied to signatures: 0 unless the skew is over 2 s. */
  private clockOffsetMs = 0;
  private closed = false;
  readonly counters = { requests: 0, rateLimited: 0, retries: 0, unitsUsed: 0 };

  constructor(opts: DeltaRestOptions) {
    this.o = { unitsPerWindow: 9000, windowMs: 5 * 60_000, timeoutMs: 10_000, maxWaitMs: 30_000, ...opts, logger: opts.logger ?? silentLogger };
  }

  close(): void {
    this.closed = true;
    for (const r of this.inflight) r.destroy(new Error('REST client closed'));
    for (const w of this.waits) {
      w.cancel();
      w.reject(new VenueError('REST client closed', null, null, 'network'));
    }
    this.waits.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ---------------------------------------------------------------- public

  /** Every live product of these contract types (cursor-paged). */
  async products(contractTypes: readonly string[] = ['call_options', 'put_options', 'perpetual_futures']): Promise<{ products: DeltaProductRecord[]; rejected: string[] }> {
    const products: DeltaProductRecord[] = [];
    const rejected: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 200; page++) {
      const q: Record<string, string> = { contract_types: contractTypes.join(','), states: 'live', page_size: '500' };
      if (after) q.after = after;
      const { result, meta } = await this.call('GET', '/v2/products', q, undefined, { weight: 3, signed: false });
      if (!Array.isArray(result)) throw new VenueError(`GET /v2/products: result is not a list`, null, null, 'invalid_response');
      for (const r of result) {
        const p = productSchema.safeParse(r);
        if (!p.success) {
          const sym = typeof (r as { symbol?: unknown })?.symbol === 'string' ? (r as { symbol: string }).symbol : '?';
          rejected.push(`${sym}: ${p.error.issues[0]?.path.join('.')} ${p.error.issues[0]?.message}`);
          continue;
        }
        const d = p.data;
        products.push({
          id: d.id,
          symbol: d.symbol,
          contract_type: d.contract_type,
          ...(d.state !== undefined ? { state: d.state } : {}),
          contract_value: d.contract_value,
          tick_size: d.tick_size,
          settlement_time: d.settlement_time ?? null,
          strike_price: d.strike_price ?? null,
          ...(d.underlying_asset ? { underlying_asset: d.underlying_asset } : {}),
          ...(d.quoting_asset ? { quoting_asset: d.quoting_asset } : {}),
          ...(d.settling_asset ? { settling_asset: d.settling_asset } : {}),
        });
      }
      after = typeof meta?.after === 'string' && meta.after !== '' ? meta.after : null;
      if (!after) break;
    }
    return { products, rejected };
  }

  /** Tickers of these symbols (≤10 per call, comma-separated: the Jan-2026 form). */
  async tickers(symbols: readonly string[]): Promise<{ tickers: DeltaTicker[]; rejected: string[] }> {
    const tickers: DeltaTicker[] = [];
    const rejected: string[] = [];
    for (let i = 0; i < symbols.length; i += 10) {
      const chunk = symbols.slice(i, i + 10);
      const { result } = await this.call('GET', `/v2/tickers/${chunk.map(encodeURIComponent).join(',')}`, undefined, undefined, { weight: 3, signed: false });
      // One symbol answers one object, several a list (either is accepted).
      const list = Array.isArray(result) ? result : [result];
      for (const r of list) {
        const t = parseRestTicker(r);
        if ('error' in t) rejected.push(t.error);
        else tickers.push(t.ticker);
      }
    }
    return { tickers, rejected };
  }

  /** Option tickers of one underlying, filtered client-side (the server-side filters are UNCONFIRMED, §6). */
  async optionTickers(underlying: string): Promise<{ tickers: DeltaTicker[]; rejected: string[] }> {
    const { result } = await this.call('GET', '/v2/tickers', { contract_types: 'call_options,put_options' }, undefined, { weight: 3, signed: false });
    if (!Array.isArray(result)) throw new VenueError('GET /v2/tickers: result is not a list', null, null, 'invalid_response');
    const tickers: DeltaTicker[] = [];
    const rejected: string[] = [];
    const marker = `-${underlying}-`;
    for (const r of result) {
      const t = parseRestTicker(r);
      if ('error' in t) rejected.push(t.error);
      else if (t.ticker.symbol.slice(1).startsWith(marker)) tickers.push(t.ticker);
    }
    return { tickers, rejected };
  }

  // ---------------------------------------------------------------- signed

  async placeOrder(body: DeltaOrderBody): Promise<DeltaOrderRecord> {
    const { result } = await this.call('POST', '/v2/orders', undefined, body, { weight: 5, signed: true, retry: false });
    return parseOr(orderRecordSchema, result, 'POST /v2/orders');
  }

  async editOrder(body: { id: number; product_id: number; limit_price?: string; size?: number }): Promise<DeltaOrderRecord> {
    const { result } = await this.call('PUT', '/v2/orders', undefined, body, { weight: 5, signed: true, retry: false });
    return parseOr(orderRecordSchema, result, 'PUT /v2/orders');
  }

  async cancelOrder(id: number, productId: number): Promise<DeltaOrderRecord | null> {
    const { result } = await this.call('DELETE', '/v2/orders', undefined, { id, product_id: productId }, { weight: 5, signed: true, retry: false });
    const r = orderRecordSchema.safeParse(result);
    return r.success ? r.data : null;
  }

  async openOrders(): Promise<DeltaOrderRecord[]> {
    const { result } = await this.call('GET', '/v2/orders', { states: 'open,pending' }, undefined, { weight: 3, signed: true });
    return parseOr(z.array(orderRecordSchema).max(100_000), result ?? [], 'GET /v2/orders');
  }

  async orderHistory(pageSize = 50): Promise<DeltaOrderRecord[]> {
    const { result } = await this.call('GET', '/v2/orders/history', { page_size: String(pageSize) }, undefined, { weight: 10, signed: true });
    return parseOr(z.array(orderRecordSchema).max(100_000), result ?? [], 'GET /v2/orders/history');
  }

  async orderByClientId(clientOrderId: string): Promise<DeltaOrderRecord | null> {
    try {
      const { result } = await this.call('GET', `/v2/orders/client_order_id/${encodeURIComponent(clientOrderId)}`, undefined, undefined, { weight: 1, signed: true });
      return parseOr(orderRecordSchema, result, 'GET /v2/orders/client_order_id');
    } catch (err) {
      if (err instanceof VenueError && err.kind === 'not_found') return null;
      throw err;
    }
  }

  async positions(): Promise<DeltaPositionRecord[]> {
    const { result } = await this.call('GET', '/v2/positions/margined', undefined, undefined, { weight: 3, signed: true });
    return parseOr(z.array(positionRecordSchema).max(100_000), result ?? [], 'GET /v2/positions/margined');
  }

  async fills(startTimeMs?: number): Promise<DeltaFill[]> {
    const q: Record<string, string> = { page_size: '500' };
    if (startTimeMs !== undefined) q.start_time = String(Math.floor(startTimeMs * 1000));
    const { result } = await this.call('GET', '/v2/fills', q, undefined, { weight: 10, signed: true });
    return parseOr(z.array(fillRecordSchema).max(100_000), result ?? [], 'GET /v2/fills');
  }

  async balances(): Promise<{ asset: string; balance: string; available: string }[]> {
    const { result } = await this.call('GET', '/v2/wallet/balances', undefined, undefined, { weight: 3, signed: true });
    const schema = z.array(z.object({ asset_symbol: z.string().max(16).optional(), balance: z.union([z.string(), z.number()]).transform(String), available_balance: z.union([z.string(), z.number()]).transform(String).optional() }).passthrough());
    return parseOr(schema, result ?? [], 'GET /v2/wallet/balances').map((b) => ({ asset: b.asset_symbol ?? '', balance: b.balance, available: b.available_balance ?? b.balance }));
  }

  // ---------------------------------------------------------------- transport

  private async call(
    method: string,
    path: string,
    query: Record<string, string> | undefined,
    body: unknown,
    opts: { weight: number; signed: boolean; retry?: boolean },
  ): Promise<{ result: unknown; meta: { after?: string | null } | null }> {
    const where = `${method} ${path}`;
    const canRetry = opts.retry ?? method === 'GET';
    let freshSignatureRetried = false;
    for (let attempt = 0; ; attempt++) {
      await this.takeUnits(opts.weight, where);
      const res = await this.send(method, path, query, body, opts.signed, where);
      this.trackServerClock(res.headers.date);
      if (res.status === 429) {
        this.counters.rateLimited++;
        const resetMs = Number(res.headers['x-rate-limit-reset']);
        const wait = Number.isFinite(resetMs) && resetMs > 0 ? resetMs : 1000 * 2 ** Math.min(attempt, 5);
        this.blockedUntil = this.o.clock.now() + wait;
        if (canRetry && attempt < 2 && wait <= this.o.maxWaitMs) {
          this.counters.retries++;
          continue; // takeUnits waits out blockedUntil
        }
        throw this.fail(new VenueError(`${where}: rate limited (HTTP 429; resets in ${Number.isFinite(resetMs) ? `${resetMs} ms` : 'unknown'})`, 429, null, 'rate_limited'));
      }
      const code = errorCode(res.body);
      if (code === 'SignatureExpired' && !freshSignatureRetried) {
        // The 5 s window passed (a slow queue or a skewed clock): one retry with a fresh signature,
        // on Delta's clock as its answer's Date header (or the error's server time) says (delta.md §5).
        this.trackServerTime(serverTimeOf(res.body));
        freshSignatureRetried = true;
        this.counters.retries++;
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        const env = envelope.safeParse(res.body);
        if (!env.success) throw this.fail(new VenueError(`${where}: the answer is not Delta's envelope`, res.status, null, 'invalid_response'));
        if (!env.data.success) throw this.classify(where, res.status, res.body);
        this.o.onSuccess?.(this.o.clock.now());
        return { result: env.data.result ?? null, meta: (env.data.meta as { after?: string | null } | null | undefined) ?? null };
      }
      throw this.classify(where, res.status, res.body);
    }
  }

  /**
   * Delta's clock against ours, from an answer's Date header (1 s resolution): a skew beyond 2 s is
   * applied to every signature's timestamp (delta.md §5: "keep a server-clock offset").
   */
  private trackServerClock(date: string | undefined): void {
    if (!date) return;
    const ms = Date.parse(date);
    if (Number.isFinite(ms)) this.trackServerTime(ms + 500);
  }

  private trackServerTime(serverMs: number | null): void {
    if (serverMs === null) return;
    const skew = serverMs - this.o.clock.now();
    this.clockOffsetMs = Math.abs(skew) > 2_000 ? skew : 0;
  }

  /** Our clock's offset from Delta's in use for signatures (ms; 0 within 2 s). */
  get serverClockOffsetMs(): number {
    return this.clockOffsetMs;
  }

  private classify(where: string, status: number, body: unknown): VenueError {
    const code = errorCode(body);
    const skew = code === 'SignatureExpired' && this.clockOffsetMs !== 0 ? ` (this machine's clock is ${Math.round(-this.clockOffsetMs / 1000)} s off Delta's: sync it with NTP)` : '';
    const message = `${errorMessage(body) ?? code ?? `HTTP ${status}`}${skew}`;
    const cdn = code === 'Forbidden' && /CDN/i.test(message);
    const auth = !cdn && ((code !== null && AUTH_CODES.has(code)) || status === 401 || (status === 403 && code !== 'Forbidden'));
    if (auth) {
      this.o.onSessionRefused?.(status, `${code ?? ''} ${message}`.trim());
      return this.fail(new VenueError(`${where}: session refused (HTTP ${status}${code ? `, ${code}` : ''}): ${message}`, status, null, 'session'));
    }
    const kind = status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : status >= 500 ? 'server' : 'rejected';
    return this.fail(new VenueError(`${where}: HTTP ${status}${code ? ` (${code})` : ''}${message !== code ? `: ${message}` : ''}`, status, null, kind));
  }

  private fail(err: VenueError): VenueError {
    this.o.onError?.(err.message);
    return err;
  }

  private async takeUnits(weight: number, where: string): Promise<void> {
    for (;;) {
      if (this.closed) throw new VenueError('REST client closed', null, null, 'network');
      const now = this.o.clock.now();
      if (this.blockedUntil > now) {
        if (this.blockedUntil - now > this.o.maxWaitMs) throw new VenueError(`${where}: rate limited for ${this.blockedUntil - now} ms more`, 429, null, 'rate_limited');
        await this.sleep(this.blockedUntil - now);
        continue;
      }
      if (now - this.window.start >= this.o.windowMs) this.window = { start: now - (now % this.o.windowMs), used: 0 };
      if (this.window.used + weight <= this.o.unitsPerWindow) {
        this.window.used += weight;
        this.counters.unitsUsed += weight;
        return;
      }
      const wait = this.window.start + this.o.windowMs - now;
      this.counters.rateLimited++;
      if (wait > this.o.maxWaitMs) throw new VenueError(`${where}: the client-side budget of ${this.o.unitsPerWindow} units per ${this.o.windowMs / 1000} s is spent; resets in ${wait} ms`, 429, null, 'rate_limited');
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        cancel: this.o.clock.setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.waits.add(entry);
    });
  }

  private send(method: string, path: string, query: Record<string, string> | undefined, body: unknown, signed: boolean, where: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
    const qs = queryString(query);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const url = new URL(path + qs, this.o.baseUrl);
    const isHttps = url.protocol === 'https:';
    let headers: Record<string, string | number> = { 'User-Agent': 'live-desk/0.1', Accept: 'application/json', 'Content-Type': 'application/json' };
    if (signed) {
      const creds = this.o.credentials();
      if (!creds) return Promise.reject(this.fail(new VenueError(`${where}: no Delta API key configured`, null, null, 'session')));
      // Sign exactly what goes on the wire: the path with /v2, the query with its "?", the body text.
      headers = signedHeaders(creds, this.o.clock.now() + this.clockOffsetMs, method, url.pathname, url.search, payload);
    }
    if (payload !== '') headers['Content-Length'] = Buffer.byteLength(payload);
    this.counters.requests++;
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, { method, agent: isHttps ? this.httpsAgent : this.httpAgent, headers, timeout: this.o.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 64 * 1024 * 1024) req.destroy(new Error('response larger than 64 MiB'));
          else chunks.push(c);
        });
        res.on('end', () => {
          this.inflight.delete(req);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          if (text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on('error', (err) => {
          this.inflight.delete(req);
          reject(this.fail(new VenueError(`${where}: ${err.message}`, null, null, 'network')));
        });
      });
      this.inflight.add(req);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', (err) => {
        this.inflight.delete(req);
        reject(this.fail(new VenueError(`${where}: ${err.message}`, null, null, 'network')));
      });
      if (payload !== '') req.write(payload);
      req.end();
    });
  }
}

/** Delta's error code in either envelope form: `{error:{code}}` or `{error:"Name"}`. */
export function errorCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const e = (body as { error?: unknown }).error;
  if (typeof e === 'string') return e.slice(0, 100);
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code.slice(0, 100);
  return null;
}

function errorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body.slice(0, 300);
  if (typeof body !== 'object' || body === null) return null;
  const m = (body as { message?: unknown }).message;
  if (typeof m === 'string') return m.slice(0, 300);
  const e = (body as { error?: unknown }).error;
  if (typeof e === 'object' && e !== null) {
    const ctx = (e as { context?: unknown }).context;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return ctx ? `${code} ${JSON.stringify(ctx).slice(0, 200)}` : code;
  }
  return null;
}

function parseOr<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VenueError(`${what}: invalid answer: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`, null, null, 'invalid_response');
  }
  return r.data;
}

/**
 * The query as sent and signed: `?k=v&…`, each part percent-encoded except commas, which stay literal
 * (`states=open,pending`) as Delta's own client sends and signs them (delta.md §4.1: the query string
 * "exactly as sent"); a server checking the decoded text and one checking the raw text then agree.
 */
export function queryString(query: Record<string, string> | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The server time an error carries (`context.server_time` / `server_time`, seconds or ms), or null. */
function serverTimeOf(body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { server_time?: unknown; context?: { server_time?: unknown }; error?: { context?: { server_time?: unknown } } };
  const v = b.server_time ?? b.context?.server_time ?? b.error?.context?.server_time;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  return n < 1e11 ? n * 1000 : n < 1e14 ? n : Math.floor(n / 1000);
}
