// Review nit: the session banner credited the streams' "402 auth failed" to rest, which got HTTP 401.
import { describe, expect, it } from 'vitest';
import { refusedBy } from '../../../../../src/renderer/src/features/portfolio/SessionBanner';

describe('session banner: who refused, each with its own reason', () => {
  it('groups channels by what they said (the sim: streams 402 auth failed, REST HTTP 401)', () => {
    const streams = [
      { name: 'stocks', state: 'session_needed', lastError: '402 auth failed' },
      { name: 'options', state: 'session_needed', lastError: '402 auth failed' },
      { name: 'trade_updates', state: 'running', lastError: null },
      { name: 'rest', state: 'session_needed', lastError: 'GET /v2/stocks/quotes/latest: session refused (HTTP 401): request is not authorized' },
    ];
    expect(refusedBy(streams)).toBe('stocks, options (402 auth failed); rest (GET /v2/stocks/quotes/latest: session refused (HTTP 401): request is not authorized)');
  });

  it('a channel without a reason is named alone; nothing refused gives an empty text', () => {
    expect(refusedBy([{ name: 'rest', state: 'session_needed', lastError: null }])).toBe('rest');
    expect(refusedBy([{ name: 'stocks', state: 'running', lastError: 'old' }])).toBe('');
  });
});
