import { useMemo, useState } from 'react';
import { Alert, Autocomplete, Button, Group, Paper, SegmentedControl, Text, TextInput, Title } from '@mantine/core';
import type { OrderOutcomeWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { ConfirmAction } from './ConfirmAction';
import { accountPhrase, outcomeText } from './trading-words';
import { EMPTY_DRAFT, orderDraftProblem, placePayload, pricePhrase, type OrderDraft } from './order-draft';

/** A manual order for the chosen account: checked here for shape, then by the desk's gateway (mode, kill switch, validation). */
export function PlaceOrderForm({ account }: { account: TradingStateWire }) {
  const quotes = useDeskStore((s) => s.quotes);
  const symbols = useMemo(() => [...new Set(Object.values(quotes).map((q) => q.symbol))].sort().slice(0, 500), [quotes]);
  const [draft, setDraft] = useState<OrderDraft>(EMPTY_DRAFT);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<OrderOutcomeWire | null>(null);
  const place = useCommand('orders.place');
  const problem = orderDraftProblem(draft);
  const send = async () => {
    const o = await place.run(placePayload(account.account, draft));
    if (o.ok) {
      setOutcome(o.result.outcome);
      setConfirming(false);
    }
  };
  const said = outcome ? outcomeText(outcome) : null;
  return (
    <Paper withBorder p="sm" data-testid="place-order">
      <Title order={5} mb={6}>
        New order
      </Title>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <PlaceOrderFields draft={draft} onChange={setDraft} symbols={symbols} />
        <Button size="xs" disabled={problem !== null} onClick={() => (place.clear(), setConfirming(true))} data-testid="place-review">
          Review order
        </Button>
      </Group>
      {problem && draft.symbol !== '' && (
        <Text size="xs" c="dimmed" mt={4} data-testid="place-problem">
          {problem}
        </Text>
      )}
      {said && (
        <Alert color={said.color} mt="xs" data-testid="place-outcome" data-kind={outcome?.kind} withCloseButton onClose={() => setOutcome(null)}>
          {said.text}
        </Alert>
      )}
      <ConfirmAction
        opened={confirming}
        title="Send this order?"
        what={
          <>
            <b>{draft.side.toUpperCase()}</b> {draft.quantity} <b>{draft.symbol}</b> {pricePhrase({ orderType: draft.orderType, limitPrice: draft.limitPrice, stopPrice: draft.stopPrice })}
            {draft.role !== '' ? ` (${draft.role})` : ''}
          </>
        }
        where={accountPhrase(account.account, account.venue_mode, account.mode)}
        live={account.venue_mode === 'LIVE'}
        confirmLabel="Send order"
        pending={place.pending}
        error={place.error?.message ?? null}
        onConfirm={() => void send()}
        onCancel={() => setConfirming(false)}
        testId="confirm-place"
      />
    </Paper>
  );
}

const TYPE_OF: Record<string, OrderDraft['orderType']> = { limit: 'limit', market: 'market', stop_limit: 'stop_limit' };

/**
 * The order's fields: symbol, side, quantity, type (Limit / Market / Stop limit), the prices the type
 * takes (the stop price only for a stop limit), and an optional role (Auto: the desk names it entry
 * when it adds exposure, exit when it reduces it).
 */
export function PlaceOrderFields({ draft, onChange, symbols }: { draft: OrderDraft; onChange: (d: OrderDraft) => void; symbols: string[] }) {
  return (
    <>
      <Autocomplete label="Symbol" size="xs" w={220} data={symbols} value={draft.symbol} onChange={(v) => onChange({ ...draft, symbol: v })} data-testid="place-symbol" limit={20} />
      <SegmentedControl
        size="xs"
        value={draft.side}
        onChange={(v) => onChange({ ...draft, side: v === 'sell' ? 'sell' : 'buy' })}
        data={[
          { value: 'buy', label: 'Buy' },
          { value: 'sell', label: 'Sell' },
        ]}
        data-testid="place-side"
      />
      <TextInput label="Quantity" size="xs" w={90} value={draft.quantity} onChange={(e) => onChange({ ...draft, quantity: e.currentTarget.value })} data-testid="place-qty" />
      <SegmentedControl
        size="xs"
        value={draft.orderType}
        onChange={(v) => onChange({ ...draft, orderType: TYPE_OF[v] ?? 'limit' })}
        data={[
          { value: 'limit', label: 'Limit' },
          { value: 'market', label: 'Market' },
          { value: 'stop_limit', label: 'Stop limit' },
        ]}
        data-testid="place-type"
      />
      {draft.orderType === 'stop_limit' && (
        <TextInput label="Stop price" size="xs" w={100} value={draft.stopPrice} onChange={(e) => onChange({ ...draft, stopPrice: e.currentTarget.value })} data-testid="place-stop" />
      )}
      {draft.orderType !== 'market' && (
        <TextInput label="Limit price" size="xs" w={100} value={draft.limitPrice} onChange={(e) => onChange({ ...draft, limitPrice: e.currentTarget.value })} data-testid="place-limit" />
      )}
      <SegmentedControl
        size="xs"
        value={draft.role === '' ? 'auto' : draft.role}
        onChange={(v) => onChange({ ...draft, role: v === 'entry' || v === 'exit' ? v : '' })}
        data={[
          { value: 'auto', label: 'Auto' },
          { value: 'entry', label: 'Entry' },
          { value: 'exit', label: 'Exit' },
        ]}
        data-testid="place-role"
        title="Role: Auto lets the desk decide (entry when the order adds exposure, exit when it reduces it)"
      />
    </>
  );
}
