import { connect } from 'node:net';

/**
 * Sends raw bytes to a server and returns the status line of the answer (or `closed` when the
 * server hung up without one). Bounded: gives up after `timeoutMs`.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (v: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(got ? got.split('\r\n')[0]! : 'timeout'), timeoutMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.split('\r\n')[0]!);
    });
    s.on('error', () => done(got ? got.split('\r\n')[0]! : 'closed'));
    s.on('close', () => done(got ? got.split('\r\n')[0]! : 'closed'));
    s.write(request);
  });
}

/** A WebSocket upgrade request with the given target and extra header lines. */
export function upgradeRequest(target: string, headers: Record<string, string>): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
