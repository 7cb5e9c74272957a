import { describe, expect, it } from 'vitest';
import { jwtExpiry, totpCode, nextIstMidnight } from '../../../../../src/node/venues/smartapi/session';
import { classifyCode, RateGate } from '../../../../../src/node/venues/smartapi/rest';
import { orderTag } from '../../../../../src/node/venues/smartapi/venue';
import { ManualClock } from '../../../../../src/core/ports/clock';

describe('SmartAPI session pieces', () => {
  it('TOTP: RFC 6238 SHA-1 test vector (secret "12345678901234567890")', () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(secret, 59_000)).toBe('287082');
    expect(totpCode(secret, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(secret.toLowerCase(), 1_234_567_890_000)).toBe('005924');
    expect(() => totpCode('not base32 !!', 0)).toThrow(/not valid base32/);
  });

  // Review of issue 19 (smartapi.md §4.2, UNCONFIRMED: exp = iat + 24 h, or midnight IST): both readings, the earlier wins.
  it('the session ends at the JWT exp or the next midnight IST, whichever comes first', () => {
    const at = Date.parse('2026-12-07T10:00:00Z'); // 15:30 IST
    expect(new Date(nextIstMidnight(at)).toISOString()).toBe('2026-12-07T18:30:00.000Z');
    expect(new Date(nextIstMidnight(Date.parse('2026-12-07T18:30:00Z'))).toISOString()).toBe('2026-12-08T18:30:00.000Z');
    expect(new Date(nextIstMidnight(Date.parse('2026-12-07T18:29:59Z'))).toISOString()).toBe('2026-12-07T18:30:00.000Z');
  });

  it('JWT expiry from the exp claim, null when absent', () => {
    const jwt = (p: object) => `h.${Buffer.from(JSON.stringify(p)).toString('base64url')}.s`;
    expect(jwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(jwtExpiry(`Bearer ${jwt({ exp: 5 })}`)).toBe(5000);
    expect(jwtExpiry(jwt({}))).toBeNull();
    expect(jwtExpiry('garbage')).toBeNull();
  });

  it('error codes: session codes end the session, rate limits and not-found are told apart', () => {
    for (const c of ['AG8001', 'AG8002', 'AG8003', 'AB8050', 'AB8051', 'AB1010', 'AB1011']) expect(classifyCode(c, 200)).toBe('session');
    expect(classifyCode(null, 401)).toBe('session');
    // spec §3: 401/403/404 on a session call is the session gone; a 404 elsewhere is a missing thing (review of issue 19)
    expect(classifyCode(null, 403)).toBe('session');
    expect(classifyCode(null, 404, '/rest/secure/angelbroking/user/v1/getProfile')).toBe('session');
    expect(classifyCode(null, 404, '/rest/auth/angelbroking/jwt/v1/generateTokens')).toBe('session');
    expect(classifyCode(null, 404, '/rest/secure/angelbroking/order/v1/details/123')).toBe('rejected');
    expect(classifyCode(null, 429)).toBe('rate_limited');
    expect(classifyCode('AB1013', 200)).toBe('not_found');
    expect(classifyCode('AB1004', 200)).toBe('server');
    expect(classifyCode('AB4008', 200)).toBe('rejected');
  });

  it('a rate gate lets N calls per second through and queues the rest in order', async () => {
    const clock = new ManualClock(0);
    const gate = new RateGate(clock, 1, null);
    const order: number[] = [];
    const p = [0, 1, 2].map((i) => gate.acquire().then(() => order.push(i)));
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0]);
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    clock.advance(1000);
    await Promise.all(p);
    expect(order).toEqual([0, 1, 2]);
  });

  it('order tags are < 20 characters and deterministic', () => {
    const t = orderTag('a-very-long-client-order-id-0123456789');
    expect(t.length).toBeLessThan(20);
    expect(orderTag('a-very-long-client-order-id-0123456789')).toBe(t);
    expect(orderTag('other')).not.toBe(t);
  });
});
