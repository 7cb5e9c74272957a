import { useMemo, useState } from 'react';
import { Alert, Button, Divider, Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import type { DeskSettings } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { EndpointsPanel } from './EndpointsPanel';
import { selectSettings } from '../../stores/selectors';
import { useCommand } from '../portfolio/use-command';
import { checkDraft, draftOf, errorsFromIssues, settingRange, type FieldErrors, type SettingsDraft } from './settings-form';

type NumericKey = 'stale_after_sec' | 'pnl_refresh_seconds' | 'max_option_contracts' | 'wide_spread_pct' | 'risk_free_rate_pct' | 'dividend_yield_pct';

/**
 * A numeric setting typed as text and read exactly (settings-form's parseNumberText): a plain
 * input, not a number widget that silently drops characters ("2.5" → 25, "1e9" → 19). The allowed
 * range is part of the description.
 */
function NumberField({ k, label, description, draft, update, error, testId }: { k: NumericKey; label: string; description: string; draft: SettingsDraft; update: (p: Partial<SettingsDraft>) => void; error: string | undefined; testId: string }) {
  const range = settingRange(k);
  const allowed = range && range.min !== undefined && range.max !== undefined ? ` ${range.integer ? 'Whole number, ' : ''}${range.min.toLocaleString('en-US')}–${range.max.toLocaleString('en-US')}.` : '';
  return (
    <TextInput
      label={label}
      description={`${description}${allowed}`}
      inputMode={range?.integer ? 'numeric' : 'decimal'}
      autoComplete="off"
      value={String(draft[k])}
      onChange={(e) => update({ [k]: e.currentTarget.value } as Partial<SettingsDraft>)}
      error={error}
      data-testid={testId}
    />
  );
}

function SettingsForm({ current }: { current: DeskSettings }) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(current));
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const set = useCommand('settings.set');
  const [dirty, setDirty] = useState(false);
  // New settings from the desk (a settings_event: another window, the tray) reset an untouched
  // form — adjusted during render, React's pattern for state derived from a changed prop.
  const [base, setBase] = useState(current);
  if (base !== current) {
    setBase(current);
    if (!dirty) setDraft(draftOf(current));
  }

  const { patch, errors: localErrors } = useMemo(() => checkDraft(current, draft), [current, draft]);
  const errors = { ...serverErrors, ...localErrors };
  const changed = Object.keys(patch).length;
  const update = (p: Partial<SettingsDraft>) => {
    setDraft((d) => ({ ...d, ...p }));
    setDirty(true);
    setSaved(null);
    setServerErrors({});
  };

  const save = async () => {
    if (Object.keys(localErrors).length || changed === 0) return;
    const outcome = await set.run(patch);
    if (outcome.ok) {
      const r = outcome.result;
      setDirty(false);
      setServerErrors({});
      setDraft(draftOf(r.settings));
      setSaved(
        `Saved${r.persisted ? '' : ' for this run only (the settings file could not be written)'}.${r.applied.length ? ` Applied now: ${r.applied.join(', ')}.` : ''}${r.restarting ? ' The stream restarts to apply the venue settings.' : ''}`,
      );
    } else {
      const e = outcome.error;
      setServerErrors(e.issues ? errorsFromIssues(e.issues) : { '(root)': e.message });
    }
  };

  const err = (k: string) => errors[k];
  return (
    <Stack gap="md" data-testid="settings-form">
      <Paper withBorder p="md">
        <Title order={5} mb="xs">
          Venue
        </Title>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Select
            label="Venue"
            description="Where Start connects. Changing it restarts a running stream."
            data={[
              { value: 'sim', label: 'Simulated venue — US options, Alpaca protocol (built in, no credentials)' },
              { value: 'sim-nse', label: 'Simulated NSE — NIFTY / BANKNIFTY, SmartAPI protocol (built in, no credentials)' },
              { value: 'sim-delta', label: 'Simulated crypto — BTC / ETH options, Delta protocol (built in, no credentials)' },
              { value: 'alpaca', label: 'Alpaca' },
              { value: 'smartapi', label: 'Angel One SmartAPI' },
              { value: 'delta', label: 'Delta Exchange' },
            ]}
            value={draft.venue}
            onChange={(v) => v && update({ venue: v as DeskSettings['venue'] })}
            allowDeselect={false}
            error={err('venue')}
            data-testid="settings-venue"
            comboboxProps={{ withinPortal: true }}
          />
        </SimpleGrid>
        {draft.venue === 'alpaca' && (
          <SimpleGrid cols={{ base: 1, md: 3 }} mt="sm" data-testid="settings-alpaca">
            <Select
              label="Alpaca environment"
              description="Live must also be armed each session."
              data={[
                { value: 'paper', label: 'Paper' },
                { value: 'live', label: 'Live' },
              ]}
              value={draft.alpaca.env}
              onChange={(v) => v && update({ alpaca: { ...draft.alpaca, env: v as DeskSettings['alpaca']['env'] } })}
              allowDeselect={false}
              error={err('alpaca.env')}
              data-testid="settings-alpaca-env"
            />
            <Select
              label="Stock feed"
              data={[
                { value: 'iex', label: 'IEX (free)' },
                { value: 'sip', label: 'SIP (subscription)' },
              ]}
              value={draft.alpaca.stock_feed}
              onChange={(v) => v && update({ alpaca: { ...draft.alpaca, stock_feed: v as DeskSettings['alpaca']['stock_feed'] } })}
              allowDeselect={false}
              error={err('alpaca.stock_feed')}
              data-testid="settings-alpaca-stock-feed"
            />
            <Select
              label="Option feed"
              data={[
                { value: 'indicative', label: 'Indicative (free)' },
                { value: 'opra', label: 'OPRA (subscription)' },
              ]}
              value={draft.alpaca.option_feed}
              onChange={(v) => v && update({ alpaca: { ...draft.alpaca, option_feed: v as DeskSettings['alpaca']['option_feed'] } })}
              allowDeselect={false}
              error={err('alpaca.option_feed')}
              data-testid="settings-alpaca-option-feed"
            />
          </SimpleGrid>
        )}
        {draft.venue === 'alpaca' && (
          <Text size="xs" c="dimmed" mt="xs">
            Credentials are stored separately (OS keychain in the desktop app, environment or a 0600 file headless) and are never shown here.
          </Text>
        )}
      </Paper>
      <Paper withBorder p="md">
        <Title order={5} mb="xs">
          Prices and P&L
        </Title>
        <SimpleGrid cols={{ base: 1, md: 2, lg: 4 }}>
          <NumberField k="stale_after_sec" label="Stale threshold (s)" description="Older quotes are stale: P&L unknown." draft={draft} update={update} error={err('stale_after_sec')} testId="settings-stale" />
          <NumberField k="pnl_refresh_seconds" label="Refresh cadence (s)" description="P&L recomputed at least this often." draft={draft} update={update} error={err('pnl_refresh_seconds')} testId="settings-refresh" />
          <NumberField k="max_option_contracts" label="Max option contracts" description="Subscription limit, enforced before subscribing." draft={draft} update={update} error={err('max_option_contracts')} testId="settings-max-contracts" />
          <NumberField k="wide_spread_pct" label="Wide spread warning (%)" description="Spread above this % of the mid." draft={draft} update={update} error={err('wide_spread_pct')} testId="settings-wide-spread" />
          <NumberField k="risk_free_rate_pct" label="Risk-free rate (%)" description="Delta model: continuously compounded." draft={draft} update={update} error={err('risk_free_rate_pct')} testId="settings-risk-free-rate" />
          <NumberField k="dividend_yield_pct" label="Dividend yield (%)" description="Delta model: continuous yield (0 = none)." draft={draft} update={update} error={err('dividend_yield_pct')} testId="settings-dividend-yield" />
        </SimpleGrid>
        <Stack gap={4} mt="md">
          <Text size="sm" fw={500}>
            Mark policy
          </Text>
          <SegmentedControl
            value={draft.mark_policy}
            onChange={(v) => update({ mark_policy: v as DeskSettings['mark_policy'] })}
            data={[
              { value: 'mid', label: 'Mid' },
              { value: 'last', label: 'Last trade' },
              { value: 'conservative', label: 'Conservative (bid long / ask short)' },
            ]}
            data-testid="settings-mark-policy"
            w="fit-content"
          />
          {err('mark_policy') && (
            <Text size="xs" c="red">
              {err('mark_policy')}
            </Text>
          )}
        </Stack>
        <Switch
          label="Record quotes for replay"
          description="Every quote received is saved in the local ledger (off by default)."
          checked={draft.record_quotes}
          onChange={(e) => update({ record_quotes: e.currentTarget.checked })}
          data-testid="settings-record-quotes"
          mt="md"
        />
      </Paper>
      <Paper withBorder p="md">
        <Title order={5} mb="xs">
          Portfolio file
        </Title>
        <Group align="flex-end">
          <TextInput
            label="Default portfolio.json"
            description="Empty = the bundled sample."
            value={draft.portfolio_path ?? ''}
            onChange={(e) => update({ portfolio_path: e.currentTarget.value })}
            error={err('portfolio_path')}
            style={{ flex: 1 }}
            classNames={{ input: 'mono' }}
            data-testid="settings-portfolio-path"
          />
          <Switch label="Reload when the file changes" checked={draft.watch_portfolio} onChange={(e) => update({ watch_portfolio: e.currentTarget.checked })} data-testid="settings-watch" mb={6} />
        </Group>
      </Paper>
      <Divider />
      <Group>
        <Button onClick={() => void save()} disabled={changed === 0 || Object.keys(localErrors).length > 0} loading={set.pending} data-testid="settings-save">
          Save{changed ? ` (${changed} ${changed === 1 ? 'change' : 'changes'})` : ''}
        </Button>
        <Button
          variant="default"
          disabled={!dirty}
          onClick={() => {
            setDraft(draftOf(current));
            setDirty(false);
            setServerErrors({});
          }}
          data-testid="settings-reset"
        >
          Discard changes
        </Button>
        {Object.keys(errors).length > 0 && (
          <Text c="red" size="sm" data-testid="settings-invalid">
            Fix the highlighted fields{errors['(root)'] ? `: ${errors['(root)']}` : ''}.
          </Text>
        )}
      </Group>
      {saved && (
        <Alert color="teal" variant="light" data-testid="settings-saved">
          {saved}
        </Alert>
      )}
    </Stack>
  );
}

/** Settings, first form (spec §12): venue and its options, thresholds, cadence, limits, mark policy. */
export function SettingsPage() {
  const current = useDeskStore(selectSettings);
  return (
    <Stack gap="sm" data-testid="settings-page" maw={1200}>
      <Title order={4}>Settings</Title>
      {current ? (
        <>
          <SettingsForm current={current} />
          <EndpointsPanel />
        </>
      ) : (
        <Text c="dimmed" data-testid="settings-loading">
          Waiting for the desk…
        </Text>
      )}
    </Stack>
  );
}
