import { describe, expect, it } from 'vitest';
import { defaultDeskSettings, deskSettingsSchema, isHistoryEvent, parseCommand, type DeskEvent } from '../../../src/shared/contract';

describe('contract v2 commands', () => {
  it('accepts the new noun.verb commands with valid payloads', () => {
    for (const [name, payload] of [
      ['stream.restart', {}],
      ['portfolio.load', { path: '/tmp/p.json' }],
      ['portfolio.reload', {}],
      ['settings.get', {}],
      ['settings.set', { mark_policy: 'last' }],
      ['settings.set', { alpaca: { env: 'live' } }],
      ['settings.set', { portfolio_path: null }],
    ] as const) {
      expect(parseCommand(name, payload)).toMatchObject({ ok: true, name });
    }
  });

  it('names the field of a bad payload', () => {
    const bad = [
      ['portfolio.load', {}, 'path'],
      ['portfolio.load', { path: '  ' }, 'path'],
      ['settings.set', { stale_after_sec: 0 }, 'stale_after_sec'],
      ['settings.set', { max_option_contracts: 2.5 }, 'max_option_contracts'],
      ['settings.set', { mark_policy: 'best' }, 'mark_policy'],
      ['settings.set', { alpaca: { env: 'prod' } }, 'alpaca.env'],
      ['settings.set', { venue: 'alpaca', extra: 1 }, '(root)'],
    ] as const;
    for (const [name, payload, path] of bad) {
      const r = parseCommand(name, payload);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_payload');
        expect(r.error.issues?.map((i) => i.path)).toContain(path);
      }
    }
  });

  it('a settings patch fills in no defaults; the stored schema fills in every default', () => {
    const r = parseCommand('settings.set', { mark_policy: 'last' });
    expect(r.ok && r.payload).toEqual({ mark_policy: 'last' });
    expect(deskSettingsSchema.parse({})).toEqual(defaultDeskSettings);
    expect(deskSettingsSchema.parse({ alpaca: { env: 'live' } }).alpaca).toEqual({ env: 'live', stock_feed: 'iex', option_feed: 'indicative' });
    expect(deskSettingsSchema.safeParse({ surprise: true }).success).toBe(false);
  });

  it('history events are the ones the Events page keeps (not ticks, health or samples)', () => {
    const kinds: DeskEvent['type'][] = ['tick_update', 'health_event', 'pnl_sample', 'settings_event', 'snapshot', 'position_event', 'node_event', 'fill_event', 'order_event', 'portfolio_event', 'alert', 'killswitch_event'];
    expect(kinds.filter((type) => isHistoryEvent({ type } as DeskEvent))).toEqual(['position_event', 'node_event', 'fill_event', 'order_event', 'portfolio_event', 'alert', 'killswitch_event']);
  });
});
