import { useMemo, useState } from 'react';
import { Alert, Autocomplete, Button, Group, Paper, SegmentedControl, Text, TextInput, Title } from '@mantine/core';
import type { OrderOutcomeWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { ConfirmAction } from './ConfirmAction';
import { accountPhrase, outcomeText } from './trading-words';
import { orderDraftProblem, type OrderDraft } from './order-draft';

/** A manual order for the chosen account: checked here for shape, then by the desk's gateway (mode, kill switch, validation). */
export function PlaceOrderForm({ account }: { account: TradingStateWire }) {
  const quotes = useDeskStore((s) => s.quotes);
  const symbols = useMemo(() => [...new Set(Object.values(quotes).map((q) => q.symbol))].sort().slice(0, 500), [quotes]);
  const [draft, setDraft] = useState<OrderDraft>({ symbol: '', side: 'buy', quantity: '1', orderType: 'limit', limitPrice: '' });
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<OrderOutcomeWire | null>(null);
  const place = useCommand('orders.place');
  const problem = orderDraftProblem(draft);
  const send = async () => {
    const o = await place.run({
      account: account.account,
      symbol: draft.symbol.trim(),
      side: draft.side,
      quantity: draft.quantity.trim(),
      order_type: draft.orderType,
      ...(draft.orderType === 'limit' ? { limit_price: draft.limitPrice.trim() } : {}),
    });
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
        <Autocomplete label="Symbol" size="xs" w={220} data={symbols} value={draft.symbol} onChange={(v) => setDraft({ ...draft, symbol: v })} data-testid="place-symbol" limit={20} />
        <SegmentedControl
          size="xs"
          value={draft.side}
          onChange={(v) => setDraft({ ...draft, side: v === 'sell' ? 'sell' : 'buy' })}
          data={[
            { value: 'buy', label: 'Buy' },
            { value: 'sell', label: 'Sell' },
          ]}
          data-testid="place-side"
        />
        <TextInput label="Quantity" size="xs" w={90} value={draft.quantity} onChange={(e) => setDraft({ ...draft, quantity: e.currentTarget.value })} data-testid="place-qty" />
        <SegmentedControl
          size="xs"
          value={draft.orderType}
          onChange={(v) => setDraft({ ...draft, orderType: v === 'market' ? 'market' : 'limit' })}
          data={[
            { value: 'limit', label: 'Limit' },
            { value: 'market', label: 'Market' },
          ]}
          data-testid="place-type"
        />
        {draft.orderType === 'limit' && (
          <TextInput label="Limit price" size="xs" w={100} value={draft.limitPrice} onChange={(e) => setDraft({ ...draft, limitPrice: e.currentTarget.value })} data-testid="place-limit" />
        )}
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
            <b>{draft.side.toUpperCase()}</b> {draft.quantity} <b>{draft.symbol}</b> {draft.orderType === 'limit' ? `limit ${draft.limitPrice}` : 'at market'}
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
