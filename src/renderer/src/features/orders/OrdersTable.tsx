import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Paper, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { OrderHistoryWire, OrderWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { isOpenOrder } from '../../stores/slices/trading';
import { useCommand } from '../portfolio/use-command';
import { formatClock } from '../format/format';
import { ConfirmAction } from './ConfirmAction';
import { accountPhrase, outcomeText, statusColor, statusWord } from './trading-words';
import { modifyProblem, pricePhrase, priceCell, roleWord } from './order-draft';
import { mergeHistory, sortOrders } from './orders-view';

const COLUMNS = '78px minmax(110px,1fr) 44px 56px 56px 64px minmax(190px,1.3fr) 50px 130px minmax(90px,1fr) 64px 200px';
const ROW = 34;

function HeaderRow() {
  return (
    <div className="vt-row vt-head" style={{ gridTemplateColumns: COLUMNS, height: 30 }} role="row">
      {['Time', 'Symbol', 'Side', 'Qty', 'Filled', 'Type', 'Price', 'Role', 'Status', 'Reason', 'Origin', ''].map((h, i) => (
        <div key={i} className={`vt-cell ${i >= 3 && i <= 6 ? 'num' : ''}`} role="columnheader">
          {h}
        </div>
      ))}
    </div>
  );
}

/** The gateway's orders of an account: open ones with their actions, then the history (virtualized). */
export function OrdersTable({ account, scope }: { account: TradingStateWire; scope: 'open' | 'past' }) {
  const all = useDeskStore((s) => s.journalOrders);
  const orders = useMemo(() => sortOrders(Object.values(all).filter((o) => o.account === account.account && (scope === 'open' ? isOpenOrder(o) : !isOpenOrder(o)))), [all, account.account, scope]);
  const [history, setHistory] = useState<OrderWire | null>(null);
  const [action, setAction] = useState<{ kind: 'cancel' | 'modify' | 'resolve'; order: OrderWire } | null>(null);
  const parent = useRef<HTMLDivElement>(null);
  // The virtualizer's functions are not memoizable (as in the positions table): this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const v = useVirtualizer({ count: orders.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 10 });
  const height = Math.min(scope === 'open' ? 320 : 420, 30 + Math.max(orders.length, 1) * ROW + 2);
  return (
    <Paper withBorder p="sm" data-testid={scope === 'open' ? 'open-orders' : 'past-orders'}>
      <Group justify="space-between" mb={6}>
        <Title order={5}>{scope === 'open' ? 'Open orders' : 'Order history'}</Title>
        <Text size="xs" c="dimmed">
          {orders.length} {scope === 'open' ? 'open' : 'past'}
        </Text>
      </Group>
      <div ref={parent} className="vt-scroll" style={{ height, overflow: 'auto' }} role="table">
        <HeaderRow />
        {orders.length === 0 ? (
          <Text size="sm" c="dimmed" p="xs" data-testid={`${scope}-orders-empty`}>
            {scope === 'open' ? 'No open order.' : 'No past order yet.'}
          </Text>
        ) : (
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const o = orders[item.index]!;
              return (
                <div key={o.client_order_id} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
                  <OrderRow o={o} onHistory={() => setHistory(o)} onAction={(kind) => setAction({ kind, order: o })} />
                </div>
              );
            })}
          </div>
        )}
      </div>
      {history && <HistoryModal order={history} onClose={() => setHistory(null)} />}
      {action?.kind === 'cancel' && <CancelConfirm account={account} order={action.order} onDone={() => setAction(null)} />}
      {action?.kind === 'modify' && <ModifyConfirm account={account} order={action.order} onDone={() => setAction(null)} />}
      {action?.kind === 'resolve' && <ResolveConfirm account={account} order={action.order} onDone={() => setAction(null)} />}
    </Paper>
  );
}

/** One order of the table (exported for its component test). */
export function OrderRow({ o, onHistory, onAction }: { o: OrderWire; onHistory: () => void; onAction: (kind: 'cancel' | 'modify' | 'resolve') => void }) {
  const working = (o.status === 'accepted' || o.status === 'partially_filled') && o.pending === null;
  const unknown = o.status === 'unknown' || o.pending?.state === 'unknown';
  return (
    <div className="vt-row" style={{ gridTemplateColumns: COLUMNS, height: ROW }} role="row" data-testid={`order-row-${o.client_order_id}`} data-status={o.status}>
      <div className="vt-cell">{formatClock(o.created_at)}</div>
      <div className="vt-cell" title={`${o.client_order_id}${o.venue_order_id ? ` · venue ${o.venue_order_id}` : ''}`}>
        <Text size="sm" truncate>
          {o.symbol}
        </Text>
      </div>
      <div className="vt-cell">
        <Text size="sm" c={o.side === 'buy' ? 'teal' : 'red'}>
          {o.side.toUpperCase()}
        </Text>
      </div>
      <div className="vt-cell num">{o.quantity}</div>
      <div className="vt-cell num">{o.filled_quantity}</div>
      <div className="vt-cell">{o.order_type === 'stop_limit' ? 'stop limit' : o.order_type}</div>
      <div className="vt-cell num" data-testid="order-price">
        {priceCell(o)}
      </div>
      <div className="vt-cell" data-testid="order-role" title={o.strategy ? `strategy ${o.strategy}${o.linked_client_order_id ? ` · linked to ${o.linked_client_order_id}` : ''}` : o.linked_client_order_id ? `linked to ${o.linked_client_order_id}` : undefined}>
        {roleWord(o.role)}
      </div>
      <div className="vt-cell">
        <Group gap={4} wrap="nowrap">
          <Badge color={statusColor(o.status)} variant={unknown ? 'filled' : 'light'} tt="none" data-testid="order-status">
            {statusWord(o)}
          </Badge>
          {o.archived_at !== null && (
            <Badge color="gray" variant="outline" tt="none" data-testid="order-archived" title={`archived ${formatClock(o.archived_at)}: kept with its history, never deleted`}>
              archived
            </Badge>
          )}
        </Group>
      </div>
      <div className="vt-cell">
        <Text size="xs" c="dimmed" truncate title={o.reason ?? ''}>
          {o.reason ?? ''}
        </Text>
      </div>
      <div className="vt-cell">
        <Text size="xs">{o.origin}</Text>
      </div>
      <div className="vt-cell">
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="default" onClick={onHistory} data-testid="order-history">
            History
          </Button>
          {working && (
            <>
              <Button size="compact-xs" variant="light" onClick={() => onAction('modify')} data-testid="order-modify">
                Modify
              </Button>
              <Button size="compact-xs" color="red" variant="light" onClick={() => onAction('cancel')} data-testid="order-cancel">
                Cancel
              </Button>
            </>
          )}
          {unknown && (
            <Tooltip label="Ask the venue what became of it by its client order id" multiline w={280}>
              <Button size="compact-xs" color="orange" onClick={() => onAction('resolve')} data-testid="order-resolve">
                Ask venue
              </Button>
            </Tooltip>
          )}
        </Group>
      </div>
    </div>
  );
}

function CancelConfirm({ account, order, onDone }: { account: TradingStateWire; order: OrderWire; onDone: () => void }) {
  const cancel = useCommand('orders.cancel');
  const [said, setSaid] = useState<string | null>(null);
  return (
    <ConfirmAction
      opened
      title="Cancel this order?"
      what={
        <>
          Cancel {order.side.toUpperCase()} {order.quantity} <b>{order.symbol}</b> {wirePhrase(order)} ({order.client_order_id})
        </>
      }
      where={accountPhrase(account.account, account.venue_mode, account.mode)}
      live={account.venue_mode === 'LIVE'}
      confirmLabel="Cancel order"
      color="red"
      pending={cancel.pending}
      error={cancel.error?.message ?? said}
      onConfirm={() =>
        void cancel.run({ account: account.account, client_order_id: order.client_order_id }).then((o) => {
          if (!o.ok) return;
          const out = o.result.outcome;
          if (out.kind === 'accepted') onDone();
          else setSaid(outcomeText(out).text);
        })
      }
      onCancel={onDone}
      testId="confirm-cancel"
    />
  );
}

function ModifyConfirm({ account, order, onDone }: { account: TradingStateWire; order: OrderWire; onDone: () => void }) {
  const replace = useCommand('orders.replace');
  const [qty, setQty] = useState('');
  const [price, setPrice] = useState(order.limit_price ?? '');
  const [said, setSaid] = useState<string | null>(null);
  // A limit's and a stop limit's limit price can change (a stop limit keeps its stop); a market order has none.
  const priced = order.order_type !== 'market';
  const problem = modifyProblem(qty, priced ? price : '');
  return (
    <ConfirmAction
      opened
      title="Modify this order?"
      what={
        <>
          <Text size="sm" mb={6}>
            {order.side.toUpperCase()} {order.quantity} <b>{order.symbol}</b> {wirePhrase(order)} — the venue replaces it with a new order{order.order_type === 'stop_limit' ? ' (the stop stays)' : ''}.
          </Text>
          <Group gap="xs">
            <TextInput size="xs" label="New quantity (blank: same)" value={qty} onChange={(e) => setQty(e.currentTarget.value)} data-testid="modify-qty" w={160} />
            {priced && <TextInput size="xs" label="New limit price" value={price} onChange={(e) => setPrice(e.currentTarget.value)} data-testid="modify-limit" w={140} />}
          </Group>
          {problem && (
            <Text size="xs" c="dimmed" mt={4}>
              {problem}
            </Text>
          )}
        </>
      }
      where={accountPhrase(account.account, account.venue_mode, account.mode)}
      live={account.venue_mode === 'LIVE'}
      confirmLabel="Send modify"
      pending={replace.pending}
      error={replace.error?.message ?? said}
      onConfirm={() => {
        if (problem) return setSaid(problem);
        const patch = { ...(qty.trim() ? { quantity: qty.trim() } : {}), ...(priced && price.trim() && price.trim() !== order.limit_price ? { limit_price: price.trim() } : {}) };
        if (!('quantity' in patch) && !('limit_price' in patch)) return setSaid('nothing changed');
        void replace.run({ account: account.account, client_order_id: order.client_order_id, ...patch }).then((o) => {
          if (!o.ok) return;
          const out = o.result.outcome;
          if (out.kind === 'accepted') onDone();
          else setSaid(outcomeText(out).text);
        });
      }}
      onCancel={onDone}
      testId="confirm-modify"
    />
  );
}

/**
 * Asking the venue about an order whose outcome is unknown. If the venue has it, the desk takes the
 * venue's word; if the venue confirms it never got a *place*, the order is sent again with the same
 * client order id (the venue refuses a duplicate, so it cannot be doubled) — an order may go out,
 * so this asks first, naming the account and mode.
 */
function ResolveConfirm({ account, order, onDone }: { account: TradingStateWire; order: OrderWire; onDone: () => void }) {
  const resolve = useCommand('orders.resolve');
  const [said, setSaid] = useState<{ text: string; color: string } | null>(null);
  const place = order.pending?.kind === 'place' || order.status === 'unknown';
  return (
    <ConfirmAction
      opened
      title="Ask the venue about this order?"
      what={
        <>
          {order.side.toUpperCase()} {order.quantity} <b>{order.symbol}</b> ({order.client_order_id}): its {order.pending?.kind ?? 'last command'}&apos;s outcome is unknown. The desk asks the venue by client order id.
          {place ? ' If the venue confirms it never got the order, the order is sent again with the same client order id (a duplicate is refused by the venue).' : ' Nothing new is placed.'}
          {said && (
            <Text size="sm" c={said.color} mt={6} data-testid="resolve-outcome">
              {said.text}
            </Text>
          )}
        </>
      }
      where={accountPhrase(account.account, account.venue_mode, account.mode)}
      live={account.venue_mode === 'LIVE'}
      confirmLabel={said ? 'Ask again' : 'Ask the venue'}
      color="orange"
      pending={resolve.pending}
      error={resolve.error?.message ?? null}
      onConfirm={() =>
        void resolve.run({ account: account.account, client_order_id: order.client_order_id }).then((o) => {
          if (!o.ok) return;
          const out = o.result.outcome;
          if (out.kind === 'accepted') onDone();
          else setSaid(outcomeText(out));
        })
      }
      onCancel={onDone}
      testId="confirm-resolve"
    />
  );
}

/** "limit 2.05", "stop 2.10 / lmt 2.05", "at market". */
function wirePhrase(o: OrderWire): string {
  return pricePhrase({ orderType: o.order_type, limitPrice: o.limit_price, stopPrice: o.stop_price });
}

/** One order's history: what the desk committed, sent and heard, in order (`order_events`). */
function HistoryModal({ order, onClose }: { order: OrderWire; onClose: () => void }) {
  const get = useCommand('orders.history');
  const live = useDeskStore((s) => s.orderHistory[order.client_order_id]);
  const { run } = get;
  useEffect(() => {
    void run({ account: order.account, client_order_id: order.client_order_id });
  }, [run, order.account, order.client_order_id]);
  const rows: OrderHistoryWire[] = mergeHistory(get.result?.history ?? [], live ?? []);
  return (
    <Modal opened onClose={onClose} title={`History of ${order.client_order_id}`} size="xl" data-testid="order-history-modal">
      {get.error && <Alert color="red">{get.error.message}</Alert>}
      <Table striped data-testid="order-history-rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Command</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Reason / detail</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((h) => (
            <Table.Tr key={h.seq} data-kind={h.kind}>
              <Table.Td>{formatClock(h.at)}</Table.Td>
              <Table.Td>{h.kind}</Table.Td>
              <Table.Td>{h.command ?? ''}</Table.Td>
              <Table.Td>
                {h.from_status ? `${h.from_status} → ` : ''}
                {h.to_status}
              </Table.Td>
              <Table.Td>
                <Text size="xs">
                  {h.reason ?? ''}
                  {h.detail ? ` ${Object.entries(h.detail).filter(([, val]) => val !== null).map(([k, val]) => `${k}=${String(val)}`).join(' ')}` : ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
