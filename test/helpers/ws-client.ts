import WebSocket from 'ws';
import type { DeskEvent, ServerMessage } from '../../src/shared/contract';

/** A test client for the headless desk's WebSocket that records everything and awaits conditions. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.check();
    });
    ws.on('close', () => this.check());
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  get events(): DeskEvent[] {
    return this.messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
  }

  waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async call(name: string, payload: unknown): Promise<ServerMessage & { kind: 'reply' }> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ kind: 'call', id, name, payload }));
    await this.waitFor(() => this.messages.some((m) => m.kind === 'reply' && m.id === id), 5000, `reply ${id}`);
    return this.messages.find((m) => m.kind === 'reply' && m.id === id) as ServerMessage & { kind: 'reply' };
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The WebSocket address of a headless desk, with its access token (as the page's cookie would carry it). */
export function deskWsUrl(server: { url: string; token: string | null }): string {
  return `${server.url.replace('http', 'ws')}ws${server.token ? `?token=${encodeURIComponent(server.token)}` : ''}`;
}

/** The WebSocket address for a desk URL printed by `npm start` (`http://…/?token=…`). */
export function wsUrlFromOpenUrl(openUrl: string): string {
  const u = new URL(openUrl);
  return `ws://${u.host}/ws${u.search}`;
}
