// The Orders page's stop limits, roles and archive (issue 17): the Place order form offers Stop limit
// (its stop price field only for it) and an optional role; the orders table shows the stop beside
// the limit, the role and an "archived" tag. Components are rendered to static markup (server
// rendering, no DOM needed) inside the desk's Mantine provider; the draft logic is pure.
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import type { OrderWire } from '../../../../../src/shared/contract';
import { commandSchemas } from '../../../../../src/shared/contract';
import { PlaceOrderFields } from '../../../../../src/renderer/src/features/orders/PlaceOrderForm';
import { OrderRow } from '../../../../../src/renderer/src/features/orders/OrdersTable';
import { EMPTY_DRAFT, orderDraftProblem, placePayload, priceCell, pricePhrase, roleWord, type OrderDraft } from '../../../../../src/renderer/src/features/orders/order-draft';

const html = (node: ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);
/** The text of the element carrying data-testid (its tags stripped). */
function textOf(markup: string, testId: string): string | null {
  const at = markup.indexOf(`data-testid="${testId}"`);
  if (at < 0) return null;
  const open = markup.indexOf('>', at) + 1;
  const close = markup.indexOf('</div>', open);
  return markup.slice(open, close).replace(/<[^>]+>/g, '');
}

const order = (over: Partial<OrderWire> = {}): OrderWire => ({
  client_order_id: 'ld-1',
  account: 'default',
  symbol: 'SPY',
  side: 'sell',
  quantity: '2',
  order_type: 'limit',
  limit_price: '2.05',
  stop_price: null,
  role: null,
  strategy: null,
  linked_client_order_id: null,
  archived_at: null,
  status: 'accepted',
  venue_order_id: 'v1',
  venue_client_order_id: 'ld-1',
  filled_quantity: '0',
  replace_count: 0,
  pending: null,
  reason: null,
  origin: 'manual',
  created_at: 1_000,
  updated_at: 1_000,
  ...over,
});

const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({ ...EMPTY_DRAFT, symbol: 'SPY', quantity: '2', limitPrice: '2.05', ...over });

describe('Place order form: stop limit and role', () => {
  it('offers Limit, Market and Stop limit; the stop price field is shown only for a stop limit; the role is optional (Auto, Entry, Exit)', () => {
    const limit = html(<PlaceOrderFields draft={draft()} onChange={() => undefined} symbols={['SPY']} />);
    expect(limit).toContain('Stop limit');
    expect(limit).toContain('data-testid="place-limit"');
    expect(limit).not.toContain('data-testid="place-stop"');
    for (const label of ['Auto', 'Entry', 'Exit']) expect(limit).toContain(`>${label}<`);
    const stop = html(<PlaceOrderFields draft={draft({ orderType: 'stop_limit', stopPrice: '2.10' })} onChange={() => undefined} symbols={['SPY']} />);
    expect(stop).toContain('data-testid="place-stop"');
    expect(stop).toContain('value="2.10"');
    expect(stop).toContain('data-testid="place-limit"');
    const market = html(<PlaceOrderFields draft={draft({ orderType: 'market' })} onChange={() => undefined} symbols={['SPY']} />);
    expect(market).not.toContain('data-testid="place-stop"');
    expect(market).not.toContain('data-testid="place-limit"');
  });

  it('a stop limit needs both prices (named); the payload carries stop_price, limit_price and a chosen role, and the desk’s schema accepts it', () => {
    expect(orderDraftProblem(draft({ orderType: 'stop_limit' }))).toMatch(/^Stop price/);
    expect(orderDraftProblem(draft({ orderType: 'stop_limit', stopPrice: '2.10', limitPrice: '' }))).toMatch(/^Limit price/);
    expect(orderDraftProblem(draft({ orderType: 'stop_limit', stopPrice: '2.10' }))).toBeNull();
    const p = placePayload('default', draft({ orderType: 'stop_limit', stopPrice: ' 2.10 ', side: 'sell', role: 'exit' }));
    expect(p).toEqual({ account: 'default', symbol: 'SPY', side: 'sell', quantity: '2', order_type: 'stop_limit', limit_price: '2.05', stop_price: '2.10', role: 'exit' });
    expect(commandSchemas['orders.place'].safeParse(p).success).toBe(true);
    // Auto sends no role (the desk decides); a limit sends no stop; a market no price at all
    expect(placePayload('default', draft())).toEqual({ account: 'default', symbol: 'SPY', side: 'buy', quantity: '2', order_type: 'limit', limit_price: '2.05' });
    expect(placePayload('default', draft({ orderType: 'market', stopPrice: '9' }))).toEqual({ account: 'default', symbol: 'SPY', side: 'buy', quantity: '2', order_type: 'market' });
    expect(pricePhrase({ orderType: 'stop_limit', limitPrice: '2.05', stopPrice: '2.10' })).toBe('stop 2.10 / lmt 2.05');
  });
});

describe('Orders table: stop price, role, archived', () => {
  const row = (o: OrderWire) => html(<OrderRow o={o} onHistory={() => undefined} onAction={() => undefined} />);

  it('a stop limit shows "stop 2.10 / lmt 2.05" and its role; a limit its price; an order journaled before roles a dash', () => {
    const sl = row(order({ order_type: 'stop_limit', stop_price: '2.10', role: 'sl', strategy: 'iron-fly', linked_client_order_id: 'ld-entry-1', origin: 'monitor' }));
    expect(textOf(sl, 'order-price')).toBe('stop 2.10 / lmt 2.05');
    expect(textOf(sl, 'order-role')).toBe('SL');
    expect(sl).toContain('title="strategy iron-fly · linked to ld-entry-1"');
    expect(sl).toContain('stop limit');
    const lmt = row(order({ role: 'exit' }));
    expect(textOf(lmt, 'order-price')).toBe('2.05');
    expect(textOf(lmt, 'order-role')).toBe('Exit');
    expect(textOf(row(order()), 'order-role')).toBe('—');
    expect(priceCell(order({ order_type: 'market', limit_price: null }))).toBe('—');
    expect(['entry', 'exit', 'sl', 'tp'].map((r) => roleWord(r as OrderWire['role']))).toEqual(['Entry', 'Exit', 'SL', 'TP']);
  });

  it('an archived order carries an "archived" tag beside its status (still rejected); others do not', () => {
    const archived = row(order({ status: 'rejected', reason: 'insufficient buying power', archived_at: 5_000 }));
    expect(archived).toContain('data-testid="order-archived"');
    expect(archived).toMatch(/data-testid="order-archived"[^>]*>(?:<[^>]+>)*archived</);
    expect(archived).toContain('data-status="rejected"');
    expect(row(order({ status: 'rejected' }))).not.toContain('order-archived');
  });
});
