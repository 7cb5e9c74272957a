/**
 * The SmartAPI session (docs/protocols/smartapi.md §4.2): login with client code + MPIN + a TOTP
 * (RFC 6238, SHA-1, 6 digits, 30 s: the `otpauth` library) → JWT, refresh token and feed token;
 * the tokens are refreshed (generateTokens) ahead of the JWT's expiry; a refused refresh or a
 * session error code makes the session `session_needed` — nothing reconnects with a dead token
 * until `login()` runs again (the one-click re-login: ExecutionPort.reauthenticate).
 *
 * Expiry: the JWT's `exp` when it carries one, else 24 h after login (UNCONFIRMED whether Angel
 * ends sessions at midnight IST instead: either way a refused call ends the session here).
 */
import { TOTP, Secret as OtpSecret } from 'otpauth';
import { z } from 'zod';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { SmartApiError, type SmartApiRest, PATHS } from './rest';

export interface SmartCredentials {
  apiKey: string;
  clientCode: string;
  pin: string;
  totpSecret: string;
}

export interface SmartTokens {
  jwt: string;
  refreshToken: string;
  feedToken: string;
  /** When the JWT expires (epoch ms). */
  expiresAt: number;
}

const TokensSchema = z.object({ jwtToken: z.string().min(1), refreshToken: z.string().min(1), feedToken: z.string().min(1) });

/** The 6-digit TOTP for a base32 secret at `at` (epoch ms). Throws naming the problem for a bad secret. */
export function totpCode(secret: string, at: number): string {
  let key: OtpSecret;
  try {
    key = OtpSecret.fromBase32(secret.replace(/\s+/g, '').toUpperCase());
  } catch (err) {
    throw new Error(`SmartAPI TOTP secret is not valid base32: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return TOTP.generate({ secret: key, algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
}

/** The `exp` of a JWT (epoch ms), or null when it has none or is not a JWT. */
export function jwtExpiry(jwt: string): number | null {
  const part = jwt.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

export type SessionListener = (state: 'active' | 'session_needed', reason: string | null) => void;

export class SmartSession {
  private tokens: SmartTokens | null = null;
  private refreshTimer: Cancel | null = null;
  private refreshing: Promise<boolean> | null = null;
  private state: 'not_started' | 'active' | 'session_needed' = 'not_started';
  private readonly listeners = new Set<SessionListener>();
  logins = 0;
  refreshes = 0;

  constructor(
    private readonly rest: SmartApiRest,
    private credentials: SmartCredentials,
    private readonly clock: Clock & Scheduler,
    private readonly logger: Logger,
    /** Refresh this long before the JWT expires (default 10 min). */
    private readonly refreshLeadMs = 10 * 60_000,
  ) {}

  get current(): SmartTokens | null {
    return this.tokens;
  }

  get creds(): SmartCredentials {
    return this.credentials;
  }

  sessionState(): 'not_started' | 'active' | 'session_needed' {
    return this.state;
  }

  onChange(l: SessionListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Logs in (fresh TOTP); on failure the session is `session_needed` and the error is thrown. */
  async login(credentials?: SmartCredentials): Promise<SmartTokens> {
    if (credentials) this.credentials = credentials;
    this.cancelRefresh();
    this.tokens = null;
    const c = this.credentials;
    try {
      const data = await this.rest.call('login', 'POST', PATHS.login, { clientcode: c.clientCode, password: c.pin, totp: totpCode(c.totpSecret, this.clock.now()) }, { auth: false });
      this.logins++;
      this.accept(data, 'login');
      return this.tokens!;
    } catch (err) {
      this.set('session_needed', `login failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  /** Renews the tokens with the refresh token; false (and `session_needed`) when refused. Concurrent callers share one attempt. */
  refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      const t = this.tokens;
      if (!t) return false;
      try {
        const data = await this.rest.call('generateTokens', 'POST', PATHS.generateTokens, { refreshToken: t.refreshToken });
        this.refreshes++;
        this.accept(data, 'refresh');
        return true;
      } catch (err) {
        if (err instanceof SmartApiError && (err.kind === 'network' || err.kind === 'server' || err.kind === 'rate_limited')) {
          // not a verdict on the session: try again shortly
          this.scheduleRefresh(this.clock.now() + 30_000);
          return false;
        }
        this.expire(`token refresh refused: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** The venue refused the session (a session error code, an HTTP 401 on the feed): no reconnects until a login. */
  expire(reason: string): void {
    this.cancelRefresh();
    this.tokens = null;
    this.set('session_needed', reason);
  }

  stop(): void {
    this.cancelRefresh();
  }

  private accept(data: unknown, what: string): void {
    const p = TokensSchema.safeParse(data);
    if (!p.success) throw new SmartApiError(`SmartAPI ${what}: the answer lacks jwtToken/refreshToken/feedToken`, null, null, 'invalid_response');
    const jwt = p.data.jwtToken.replace(/^Bearer\s+/i, '');
    // smartapi.md §4.2 (UNCONFIRMED): the JWT says `exp` (iat + 24 h), community code ends sessions at
    // midnight IST. Both readings: the session ends at whichever comes first (the countdown, the refresh).
    const now = this.clock.now();
    const expiresAt = Math.min(jwtExpiry(jwt) ?? now + 24 * 3600_000, nextIstMidnight(now));
    this.tokens = { jwt, refreshToken: p.data.refreshToken, feedToken: p.data.feedToken, expiresAt };
    this.scheduleRefresh(expiresAt - this.refreshLeadMs);
    this.set('active', null);
  }

  private scheduleRefresh(at: number): void {
    this.cancelRefresh();
    const delay = Math.max(1000, at - this.clock.now());
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, Math.min(delay, 2 ** 31 - 1));
  }

  private cancelRefresh(): void {
    this.refreshTimer?.();
    this.refreshTimer = null;
  }

  private set(state: 'active' | 'session_needed', reason: string | null): void {
    if (this.state === state && state === 'active') return;
    this.state = state;
    (state === 'session_needed' ? this.logger.warn : this.logger.info).call(this.logger, 'SmartAPI session', { state, reason });
    for (const l of this.listeners) l(state, reason);
  }
}

/** The next 00:00 in India (UTC+05:30, no DST) after `now` (epoch ms). */
export function nextIstMidnight(now: number): number {
  const IST = 5.5 * 3600_000;
  const day = 24 * 3600_000;
  return Math.floor((now + IST) / day) * day + day - IST;
}
