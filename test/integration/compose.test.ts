// The desk never constructs a venue itself: it asks the composition (src/node/compose.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, defaultDeskConfig, type Desk } from '../../src/node/desk';
import { createVenue, type VenueRequest } from '../../src/node/compose';
import { SystemClock } from '../../src/node/system-clock';
import { silentLogger } from '../../src/core/ports/logger';
import { ManualClock } from '../../src/core/ports/clock';
import { defaultAccount } from '../../src/core/model/account';

let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
});

describe('composition: venues are built by compose.ts', () => {
  it('Start asks the injected venue factory once, with the mode and configuration in force', async () => {
    const requests: VenueRequest[] = [];
    desk = createDesk({
      clock: new SystemClock(),
      portfolioPath: null,
      config: { simIntervalMs: 20 },
      venues: (req) => {
        requests.push(req);
        return createVenue(req);
      },
    });
    await desk.start();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ mode: 'SIM', alpacaCredentials: null, config: { venue: 'sim' } });
    expect(requests[0]!.account).toMatchObject({ id: 'default', venue: 'sim', mode: 'SIM' });
    expect(desk.activeExecution).not.toBeNull();
    expect(desk.activeMarketData).not.toBeNull();
    expect(desk.simServer).not.toBeNull();
    await desk.stop();
    expect(desk.activeExecution).toBeNull();
    expect(desk.activeMarketData).toBeNull();
    expect(desk.simServer).toBeNull();
  });

  it('a factory that fails leaves the desk stopped with the error on every stream row', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, venues: () => Promise.reject(new Error('no venue today')) });
    await desk.start();
    expect(desk.isStreaming).toBe(false);
    expect(desk.snapshot().streams.find((s) => s.name === 'stocks')).toMatchObject({ state: 'error', lastError: 'no venue today' });
  });

  it('alpaca without keys is refused with the message naming the variables', async () => {
    const clock = new ManualClock(0);
    const req: VenueRequest = { account: defaultAccount('alpaca', 'paper'), config: { ...defaultDeskConfig, venue: 'alpaca' }, mode: 'PAPER', alpacaCredentials: null, clock, logger: silentLogger, random: () => 0.5 };
    await expect(createVenue(req)).rejects.toThrow(/APCA_API_KEY_ID/);
  });
});
