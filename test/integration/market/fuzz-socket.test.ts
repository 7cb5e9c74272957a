// A subset of the hostile frames over a real socket: the sim pushes them down the live streams.
import { afterEach, describe, expect, it } from 'vitest';
import { encode, ExtData } from '@msgpack/msgpack';
import { rig, waitFor, type Rig } from './fixture';
import { SeededRandom } from '../../../src/core/model/random';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

function hostileFrames(n: number, seed: number): { text: string[]; binary: string[] } {
  const rng = new SeededRandom(seed);
  const text: string[] = [];
  const binary: string[] = [];
  const kinds = [
    () => '{not json',
    () => '[{"T":"q","S":"SPY","bp":"1","ap":2}]',
    () => '[{"T":"q","S":"","bp":1,"ap":2}]',
    () => '{"T":"q"}',
    () => '[1,2,3]',
    () => `[{"T":"t","S":"SPY","p":-${rng.int(1, 9)}}]`,
    () => JSON.stringify([{ T: 'q', S: 'SPY', bp: 1, ap: 2, t: 'yesterday' }]),
    () => `${'['.repeat(5000)}${']'.repeat(5000)}`,
  ];
  for (let i = 0; i < n; i++) text.push(kinds[i % kinds.length]!());
  // binary msgpack: random bytes and wrong ext types (sent as latin1 strings → bytes by the sim's raw fault)
  for (let i = 0; i < n; i++) {
    const bytes =
      i % 2 === 0
        ? Buffer.from(Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 255)))
        : Buffer.from(encode([{ T: 'q', S: 'SPY261218C00600000', bp: 1, ap: 2, t: new ExtData(rng.int(0, 100), new Uint8Array([1])) }]));
    binary.push(bytes.toString('latin1'));
  }
  return { text, binary };
}

describe('hostile frames over a real socket', () => {
  it('are counted as malformed, nothing crashes, and the streams keep delivering', async () => {
    const r = (current = await rig());
    await waitFor(() => r.venue.health().every((h) => h.state === 'running'), 5000, 'all running');
    const { text, binary } = hostileFrames(500, 3);
    r.sim.fault({ kind: 'raw', stream: 'stocks', frames: text });
    r.sim.fault({ kind: 'raw', stream: 'options', frames: binary.map((b) => b), binary: true });
    r.sim.fault({ kind: 'raw', stream: 'trade_updates', frames: text.slice(0, 200), binary: true });
    await waitFor(() => r.stream('stocks').malformedFrames >= 500, 10_000, 'stock frames counted');
    await waitFor(() => r.stream('options').malformedFrames >= 500, 10_000, 'option frames counted');
    await waitFor(() => r.stream('trade_updates').malformedFrames >= 200, 10_000, 'trade_updates frames counted');
    for (const name of ['stocks', 'options', 'trade_updates'] as const) expect(r.stream(name).state).toBe('running');
    const t = Date.now();
    await waitFor(() => r.fresh('SPY', t) && r.fresh('SPY261218C00600000', t), 5000, 'fresh quotes after the hostile frames');
    const o = await r.venue.placeOrder({ clientOrderId: 'after-fuzz', symbol: 'SPY', qty: '1', side: 'buy', type: 'market', timeInForce: 'day' });
    await waitFor(() => r.orders.some((u) => u.order.id === o.id && u.event === 'fill'), 5000, 'order events still flow');
  });
});
