import { useMemo, useState } from 'react';
import { Alert, Button, Group, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import type { MonitorAccountWire } from '@shared/contract';
import { useCommand } from '../portfolio/use-command';
import { settingsZoneLabel } from './monitor-words';
import { draftOfMonitorSettings, monitorSettingsPatch, type MonitorSettingsDraft, type RuleDraft, type RuleKind } from './monitor-settings-form';

const RULE_KINDS: { value: RuleKind; label: string }[] = [
  { value: 'none', label: 'none' },
  { value: 'pct', label: '% of premium' },
  { value: 'points', label: 'points' },
];

/**
 * One account's monitoring settings (`monitor.configure`): what is wrong is said next to its field
 * and Save stays disabled; only what changed is sent; the desk's refusal is shown next to the form.
 * `initialDraft` lets a test (or a reopened form) start from a draft other than the settings in force.
 */
export function MonitorSettingsForm({ account, initialDraft }: { account: MonitorAccountWire; initialDraft?: MonitorSettingsDraft }) {
  const id = account.account;
  const [draft, setDraft] = useState<MonitorSettingsDraft>(() => initialDraft ?? draftOfMonitorSettings(account.settings));
  const configure = useCommand('monitor.configure');
  const { patch, errors, changed } = useMemo(() => monitorSettingsPatch(account.settings, draft), [account.settings, draft]);
  const set = <K extends keyof MonitorSettingsDraft>(k: K, v: MonitorSettingsDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const zone = settingsZoneLabel(account.exchange);
  const hasErrors = Object.keys(errors).length > 0;
  const save = () =>
    void configure.run({ account: id, settings: patch }).then((o) => {
      if (o.ok) setDraft(draftOfMonitorSettings(o.result.account.settings));
    });
  const rule = (which: 'stop_loss' | 'take_profit', label: string) => {
    const r: RuleDraft = draft[which];
    const short = which === 'stop_loss' ? 'sl' : 'tp';
    return (
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <Text size="sm" w={92} mt={4}>
          {label}
        </Text>
        <SegmentedControl size="xs" value={r.kind} onChange={(v) => set(which, { ...r, kind: v as RuleKind })} data={RULE_KINDS} data-testid={`monitor-set-${short}-kind`} />
        {r.kind !== 'none' && (
          <TextInput
            size="xs"
            w={260}
            aria-label={`${label} value`}
            placeholder={r.kind === 'pct' ? '30' : '0.50'}
            rightSection={<Text size="xs">{r.kind === 'pct' ? '%' : 'pts'}</Text>}
            value={r.value}
            onChange={(e) => set(which, { ...r, value: e.currentTarget.value })}
            error={errors[`${which}.value`]}
            data-testid={`monitor-set-${short}-value`}
          />
        )}
      </Group>
    );
  };
  return (
    <Stack gap={6} data-testid="monitor-settings-form" data-account={id}>
      <Group gap="md" align="flex-start">
        <Switch size="sm" mt={6} label="Cycle enabled" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} data-testid="monitor-set-enabled" />
        <TextInput size="xs" w={200} label="Interval (s)" description="between cycle starts, 5–3,600" value={draft.interval_s} onChange={(e) => set('interval_s', e.currentTarget.value)} error={errors.interval_s} data-testid="monitor-set-interval" />
        <TextInput size="xs" w={200} label={`Earliest time (${zone})`} description="HH:mm; empty: none" placeholder="none" value={draft.earliest} onChange={(e) => set('earliest', e.currentTarget.value)} error={errors.earliest} data-testid="monitor-set-earliest" />
        <TextInput size="xs" w={200} label="Fresh-quote wait (s)" description="steps 5–6 wait at most, 0–60" value={draft.fresh_quote_wait_s} onChange={(e) => set('fresh_quote_wait_s', e.currentTarget.value)} error={errors.fresh_quote_wait_s} data-testid="monitor-set-wait" />
      </Group>
      <Text size="xs" c="dimmed">
        Step 4 places these for a running position that lacks them (distance from its average entry). Per-strategy rules are kept as they are.
      </Text>
      {rule('stop_loss', 'Stop loss')}
      {rule('take_profit', 'Take profit')}
      <Group gap="md" align="flex-start">
        <Switch size="sm" mt={6} label="Entry regenerate permitted" checked={draft.regen_permitted} onChange={(e) => set('regen_permitted', e.currentTarget.checked)} data-testid="monitor-set-regen" />
        <TextInput size="xs" w={280} label="For strategies" description='comma-separated; "*": any; empty: none' value={draft.regen_strategies} onChange={(e) => set('regen_strategies', e.currentTarget.value)} error={errors.regen_strategies} data-testid="monitor-set-strategies" />
        <TextInput size="xs" w={140} label="Max attempts" description="1–10" value={draft.regen_max_attempts} onChange={(e) => set('regen_max_attempts', e.currentTarget.value)} error={errors.regen_max_attempts} data-testid="monitor-set-attempts" />
      </Group>
      {errors.form && (
        <Alert color="red" py={4} data-testid="monitor-settings-invalid">
          {errors.form}
        </Alert>
      )}
      {configure.error && (
        <Alert color="red" py={4} data-testid="monitor-settings-error">
          {configure.error.message}
        </Alert>
      )}
      <Group gap="xs">
        <Button size="xs" disabled={!changed || hasErrors} loading={configure.pending} onClick={save} data-testid="monitor-settings-save">
          Save
        </Button>
        <Button size="xs" variant="default" disabled={!changed && !hasErrors} onClick={() => setDraft(draftOfMonitorSettings(account.settings))} data-testid="monitor-settings-reset">
          Reset
        </Button>
        <Text size="xs" c="dimmed" data-testid="monitor-settings-state">
          {hasErrors ? 'fix the fields marked in red to save' : changed ? `changes: ${Object.keys(patch).join(', ')}` : 'no changes'}
        </Text>
      </Group>
    </Stack>
  );
}
