// Review of issue 20 (delta.md §5: "Keep a server-clock offset: if you see SignatureExpired, resync —
// 5 s window"): a machine whose clock is 30 s behind Delta's signs on Delta's clock after the first
// refusal (from the answer's Date header), instead of ending the session.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DeltaRestClient } from '../../../src/node/venues/delta/rest';
import { SystemClock } from '../../../src/node/system-clock';

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

describe('Delta REST and a skewed clock', () => {
  it('signs on Delta’s clock after a SignatureExpired (its Date header), and keeps doing so', async () => {
    const SKEW_MS = 30_000;
    const seen: number[] = [];
    server = createServer((req, res) => {
      const serverNow = Date.now() + SKEW_MS;
      const ts = Number(req.headers.timestamp);
      seen.push(ts);
      res.setHeader('Date', new Date(serverNow).toUTCString());
      res.setHeader('Content-Type', 'application/json');
      if (Math.abs(ts - serverNow / 1000) > 5) {
        res.statusCode = 401;
        res.end(JSON.stringify({ success: false, error: { code: 'SignatureExpired', context: { server_time: Math.floor(serverNow / 1000), request_time: ts } } }));
        return;
      }
      res.end(JSON.stringify({ success: true, result: [] }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const rest = new DeltaRestClient({ baseUrl: `http://127.0.0.1:${port}`, credentials: () => ({ apiKey: 'K', apiSecret: 'S' }), clock: new SystemClock() });
    try {
      await expect(rest.positions()).resolves.toEqual([]);
      expect(seen).toHaveLength(2); // refused once, then signed on Delta's clock
      expect(Math.abs(seen[1]! - (Date.now() + SKEW_MS) / 1000)).toBeLessThan(5);
      expect(Math.round(rest.serverClockOffsetMs / 1000)).toBeGreaterThanOrEqual(29);
      // later calls sign on Delta's clock at once
      await rest.positions();
      expect(seen).toHaveLength(3);
    } finally {
      rest.close();
    }
  });
});
