/**
 * Delta Exchange request signing (docs/protocols/delta.md §3.4, §4.1):
 *   REST      prehash = METHOD + timestamp + path + query_string + body
 *   WS auth   prehash = "GET" + timestamp + "/live"
 *   signature = hex(HMAC_SHA256(api_secret, prehash)); timestamp = unix SECONDS as a string.
 * The query string includes its leading `?` exactly as sent (empty when none); the body is the exact
 * JSON text sent (empty for GET). A signature is valid for 5 s: it is rebuilt for every attempt.
 */
import { createHmac } from 'node:crypto';

export interface DeltaCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Delta's signature window (seconds between signing and arrival). */
export const SIGNATURE_WINDOW_S = 5;

export function prehash(method: string, timestamp: string, path: string, query = '', body = ''): string {
  if (query !== '' && !query.startsWith('?')) throw new Error(`delta signing: query string ${JSON.stringify(query)} must start with "?" (sign it exactly as sent)`);
  if (!path.startsWith('/')) throw new Error(`delta signing: path ${JSON.stringify(path)} must start with "/" (and include /v2)`);
  return method.toUpperCase() + timestamp + path + query + body;
}

export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

export function sign(secret: string, method: string, timestamp: string, path: string, query = '', body = ''): string {
  return hmacHex(secret, prehash(method, timestamp, path, query, body));
}

/** Unix seconds (as Delta wants them) of an epoch-ms instant. */
export function unixSeconds(epochMs: number): string {
  return Math.floor(epochMs / 1000).toString();
}

/** The headers of a signed REST call (User-Agent is mandatory: without it the CDN answers 403). */
export function signedHeaders(creds: DeltaCredentials, nowMs: number, method: string, path: string, query = '', body = ''): Record<string, string> {
  const timestamp = unixSeconds(nowMs);
  return {
    'api-key': creds.apiKey,
    timestamp,
    signature: sign(creds.apiSecret, method, timestamp, path, query, body),
    'User-Agent': 'live-desk/0.1',
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
}

/** The private socket's `key-auth` frame (the old `auth` type stopped working on India after 2025-12-31). */
export function keyAuthFrame(creds: DeltaCredentials, nowMs: number): { type: 'key-auth'; payload: { 'api-key': string; signature: string; timestamp: string } } {
  const timestamp = unixSeconds(nowMs);
  return { type: 'key-auth', payload: { 'api-key': creds.apiKey, signature: sign(creds.apiSecret, 'GET', timestamp, '/live'), timestamp } };
}

/**
 * Verifies a signature the way the venue does (used by the simulated Delta face): the timestamp
 * (string or number, seconds) must be within the window of `nowMs`, and the signature must match.
 * Returns null when accepted, else Delta's error code.
 */
export function verifySignature(
  secret: string,
  nowMs: number,
  timestamp: unknown,
  signature: unknown,
  method: string,
  path: string,
  query = '',
  body = '',
): null | 'request_expired' | 'invalid_signature' | 'incomplete_payload' {
  if ((typeof timestamp !== 'string' && typeof timestamp !== 'number') || typeof signature !== 'string' || signature === '') return 'incomplete_payload';
  const ts = String(timestamp);
  if (!/^\d{9,11}$/.test(ts)) return 'request_expired';
  if (Math.abs(Number(ts) * 1000 - nowMs) > SIGNATURE_WINDOW_S * 1000) return 'request_expired';
  const expected = sign(secret, method, ts, path, query, body);
  return expected === signature.toLowerCase() ? null : 'invalid_signature';
}
