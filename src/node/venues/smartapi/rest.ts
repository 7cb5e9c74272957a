/**
 * SmartAPI REST (docs/protocols/smartapi.md §4): the common headers, the response envelope
 * (`status`/`success`, `errorcode`/`errorCode`, `data: null` for empty books), per-endpoint rate
 * limits (§4.6; counted per endpoint — UNCONFIRMED whether Angel counts per key), a timeout per
 * call, and the venue's error codes mapped onto VenueError kinds (session codes → `session`).
 */
import type { Clock, Scheduler } from '../../../core/ports/clock';
import { VenueError } from '../../../core/ports/venue';

/** A SmartAPI error: `venueCode` is Angel's own code (AG8001, AB1010…), null when none was sent. */
export class SmartApiError extends VenueError {
  constructor(
    message: string,
    status: number | null,
    readonly venueCode: string | null,
    kind: VenueError['kind'],
  ) {
    super(message, status, null, kind);
    this.name = 'SmartApiError';
  }
}

/** Codes that mean the session is gone (re-login or refresh). */
export const SESSION_CODES: ReadonlySet<string> = new Set(['AG8001', 'AG8002', 'AG8003', 'AB8050', 'AB8051', 'AB1010', 'AB1011']);
const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['AB1009', 'AB1013', 'AB1014', 'AB1016']);
const SERVER_CODES: ReadonlySet<string> = new Set(['AB1004', 'AB2001']);

/** Calls about the session itself (spec §3: HTTP 401/403/404 on a session call is session expiry). */
const SESSION_PATHS = /\/(?:user\/v1\/(?:getProfile|getRMS|logout)|jwt\/v1\/generateTokens)$/;

/**
 * What a refusal means. Spec §3: HTTP 401/403/404 on a session call, or the broker's session codes,
 * is the session gone; 403 anywhere else too unless it is the rate limit (said in plain text, checked
 * before this); a 404 elsewhere is a missing order or instrument.
 */
export function classifyCode(code: string | null, status: number | null, path = ''): VenueError['kind'] {
  if (code !== null && SESSION_CODES.has(code)) return 'session';
  if (code !== null && NOT_FOUND_CODES.has(code)) return 'not_found';
  if (code !== null && SERVER_CODES.has(code)) return 'server';
  if (status === 401 || status === 403) return 'session';
  if (status === 404 && SESSION_PATHS.test(path)) return 'session';
  if (status === 429) return 'rate_limited';
  if (status !== null && status >= 500) return 'server';
  return 'rejected';
}

/** Rate limits per endpoint group: [per second, per minute | null]. */
export const RATE_LIMITS = {
  login: [1, null],
  generateTokens: [1, null],
  profile: [3, null],
  order: [20, 500],
  orderBook: [1, null],
  tradeBook: [1, null],
  positions: [1, null],
  quote: [10, 500],
  rms: [2, null],
  logout: [1, null],
} as const satisfies Record<string, readonly [number, number | null]>;
export type Endpoint = keyof typeof RATE_LIMITS;

/** A sliding-window gate: at most `perSec` calls in any 1 s (and `perMin` in any 60 s). Calls wait their turn in order. */
export class RateGate {
  private readonly sec: number[] = [];
  private readonly min: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  waited = 0;

  constructor(
    private readonly clock: Clock & Scheduler,
    private readonly perSec: number,
    private readonly perMin: number | null,
  ) {}

  acquire(): Promise<void> {
    const turn = this.chain.then(() => this.take());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.sec.length && now - this.sec[0]! >= 1000) this.sec.shift();
      while (this.min.length && now - this.min[0]! >= 60_000) this.min.shift();
      let wait = 0;
      if (this.sec.length >= this.perSec) wait = Math.max(wait, this.sec[0]! + 1000 - now);
      if (this.perMin !== null && this.min.length >= this.perMin) wait = Math.max(wait, this.min[0]! + 60_000 - now);
      if (wait <= 0) {
        this.sec.push(now);
        if (this.perMin !== null) this.min.push(now);
        return;
      }
      this.waited++;
      await new Promise<void>((r) => this.clock.setTimeout(r, wait));
    }
  }
}

export interface SmartRestOptions {
  baseUrl: string;
  apiKey: () => string;
  /** The JWT (without "Bearer "), null before login. */
  jwt: () => string | null;
  clock: Clock & Scheduler;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onSuccess?: (at: number) => void;
  onError?: (message: string, err: SmartApiError) => void;
}

export const PATHS = {
  login: '/rest/auth/angelbroking/user/v1/loginByPassword',
  generateTokens: '/rest/auth/angelbroking/jwt/v1/generateTokens',
  profile: '/rest/secure/angelbroking/user/v1/getProfile',
  logout: '/rest/secure/angelbroking/user/v1/logout',
  quote: '/rest/secure/angelbroking/market/v1/quote/',
  placeOrder: '/rest/secure/angelbroking/order/v1/placeOrder',
  modifyOrder: '/rest/secure/angelbroking/order/v1/modifyOrder',
  cancelOrder: '/rest/secure/angelbroking/order/v1/cancelOrder',
  orderBook: '/rest/secure/angelbroking/order/v1/getOrderBook',
  tradeBook: '/rest/secure/angelbroking/order/v1/getTradeBook',
  positions: '/rest/secure/angelbroking/order/v1/getPosition',
  rms: '/rest/secure/angelbroking/user/v1/getRMS',
} as const;

export class SmartApiRest {
  private readonly gates = new Map<Endpoint, RateGate>();
  readonly counters = { calls: 0, errors: 0, rateLimited: 0 };
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: SmartRestOptions) {
    this.fetchImpl = o.fetch ?? fetch;
    for (const [k, [s, m]] of Object.entries(RATE_LIMITS) as [Endpoint, readonly [number, number | null]][]) this.gates.set(k, new RateGate(o.clock, s, m));
  }

  gate(e: Endpoint): RateGate {
    return this.gates.get(e)!;
  }

  /** One call: waits for the endpoint's rate gate, sends, and returns the envelope's `data` (null for an empty book). */
  async call(endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<unknown> {
    await this.gate(endpoint).acquire();
    this.counters.calls++;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-UserType': 'USER',
      'X-SourceID': 'WEB',
      'X-ClientLocalIP': '127.0.0.1',
      'X-ClientPublicIP': '127.0.0.1',
      'X-MACAddress': '00:00:00:00:00:00',
      'X-PrivateKey': this.o.apiKey(),
    };
    if (opts.auth !== false) {
      const jwt = this.o.jwt();
      if (jwt === null) throw this.fail(new SmartApiError(`SmartAPI ${path}: not logged in`, null, null, 'session'));
      headers.Authorization = `Bearer ${jwt}`;
    }
    const ctrl = new AbortController();
    const timer = this.o.clock.setTimeout(() => ctrl.abort(), this.o.timeoutMs ?? 10_000);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.o.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: ctrl.signal });
      text = await res.text();
    } catch (err) {
      throw this.fail(new SmartApiError(`SmartAPI ${method} ${path}: ${ctrl.signal.aborted ? `no answer within ${this.o.timeoutMs ?? 10_000} ms` : err instanceof Error ? err.message : String(err)}`, null, null, 'network'));
    } finally {
      timer();
    }
    if ((res.status === 403 || res.status === 429) && /exceeding access rate|too many/i.test(text)) {
      this.counters.rateLimited++;
      throw this.fail(new SmartApiError(`SmartAPI ${path}: rate limited (HTTP ${res.status}: ${text.slice(0, 100)})`, res.status, null, 'rate_limited'));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const kind = res.status >= 400 && res.status < 500 ? classifyCode(null, res.status, path) : res.status >= 500 ? 'server' : 'invalid_response';
      throw this.fail(new SmartApiError(`SmartAPI ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 100)}`, res.status, null, kind === 'rejected' ? 'invalid_response' : kind));
    }
    if (typeof json !== 'object' || json === null) throw this.fail(new SmartApiError(`SmartAPI ${path}: the answer is not an object`, res.status, null, 'invalid_response'));
    const env = json as { status?: unknown; success?: unknown; message?: unknown; errorcode?: unknown; errorCode?: unknown; data?: unknown };
    const ok = env.status === true || env.success === true;
    const code = typeof env.errorcode === 'string' && env.errorcode !== '' ? env.errorcode : typeof env.errorCode === 'string' && env.errorCode !== '' ? env.errorCode : null;
    if (!ok || res.status >= 400) {
      const message = typeof env.message === 'string' ? env.message : 'failed';
      throw this.fail(new SmartApiError(`SmartAPI ${path}: ${code ?? `HTTP ${res.status}`} ${message}`, res.status, code, classifyCode(code, res.status, path)));
    }
    this.o.onSuccess?.(this.o.clock.now());
    return env.data ?? null;
  }

  private fail(err: SmartApiError): SmartApiError {
    this.counters.errors++;
    this.o.onError?.(err.message, err);
    return err;
  }
}
