import { useState, type ReactNode } from 'react';
import { Alert, Button, Checkbox, Group, NativeSelect, Paper, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { WEEKDAYS, type StrategyDefinition } from '@shared/contract';
import { useCommand } from '../portfolio/use-command';
import { checkDraft, errorsByField, fieldPaths, newLegDraft, type DefinitionDraft, type FieldErrors, type LegDraft, type RuleKind } from './definition-form';

const RULE_KINDS: { value: RuleKind; label: string }[] = [
  { value: 'none', label: 'none' },
  { value: 'pct', label: '% of premium' },
  { value: 'points', label: 'points' },
];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p={8} radius="sm">
      <Text className="figure-label" mb={4}>
        {title}
      </Text>
      {children}
    </Paper>
  );
}

/** A text field bound to a draft path, its error (by the same path) under it. */
function Field({ path, label, value, onChange, errors, w, placeholder }: { path: string; label: string; value: string; onChange: (v: string) => void; errors: FieldErrors; w?: number; placeholder?: string }) {
  return <TextInput size="xs" label={label} value={value} w={w} placeholder={placeholder} onChange={(e) => onChange(e.currentTarget.value)} error={errors[path]} data-testid={`def-${path}`} />;
}

function RuleField({ path, label, kind, value, onKind, onValue, errors }: { path: string; label: string; kind: RuleKind; value: string; onKind: (k: RuleKind) => void; onValue: (v: string) => void; errors: FieldErrors }) {
  return (
    <Group gap={4} align="flex-start" wrap="nowrap">
      <NativeSelect size="xs" label={label} data={RULE_KINDS} value={kind} onChange={(e) => onKind(e.currentTarget.value as RuleKind)} data-testid={`def-${path}.kind`} />
      {kind !== 'none' && <Field path={`${path}.value`} label="value" w={80} value={value} onChange={onValue} errors={errors} />}
    </Group>
  );
}

function LegFields({ i, leg, set, remove, errors }: { i: number; leg: LegDraft; set: (l: Partial<LegDraft>) => void; remove: (() => void) | null; errors: FieldErrors }) {
  const p = `legs.${i}`;
  return (
    <Paper withBorder p={6} radius="sm" data-testid={`def-leg-${i}`}>
      <Group gap={6} align="flex-start" wrap="wrap">
        <Text size="sm" fw={700} mt={22} w={44}>
          Leg {i + 1}
        </Text>
        <NativeSelect size="xs" label="Side" data={['sell', 'buy']} value={leg.side} onChange={(e) => set({ side: e.currentTarget.value as LegDraft['side'] })} data-testid={`def-${p}.side`} />
        <NativeSelect size="xs" label="Right" data={['call', 'put']} value={leg.right} onChange={(e) => set({ right: e.currentTarget.value as LegDraft['right'] })} data-testid={`def-${p}.right`} />
        <Field path={`${p}.lots`} label="Lots" w={60} value={leg.lots} onChange={(v) => set({ lots: v })} errors={errors} />
        <NativeSelect
          size="xs"
          label="Select by"
          data={[
            { value: 'delta', label: '|delta| range' },
            { value: 'strike_offset', label: 'strike offset from ATM' },
          ]}
          value={leg.by}
          onChange={(e) => set({ by: e.currentTarget.value as LegDraft['by'] })}
          data-testid={`def-${p}.select.by`}
        />
        {leg.by === 'delta' ? (
          <>
            <Field path={`${p}.select.min`} label="min |Δ|" w={70} value={leg.min} onChange={(v) => set({ min: v })} errors={errors} />
            <Field path={`${p}.select.max`} label="max |Δ|" w={70} value={leg.max} onChange={(v) => set({ max: v })} errors={errors} />
          </>
        ) : (
          <Field path={`${p}.select.offset`} label="offset (strikes)" w={100} value={leg.offset} onChange={(v) => set({ offset: v })} errors={errors} />
        )}
        <NativeSelect
          size="xs"
          label="Expiry"
          data={[
            { value: 'nearest', label: 'nearest ≥ days' },
            { value: 'weekly', label: 'n-th weekly' },
            { value: 'monthly', label: 'n-th monthly' },
          ]}
          value={leg.expiry}
          onChange={(e) => set({ expiry: e.currentTarget.value as LegDraft['expiry'], expiry_n: e.currentTarget.value === 'nearest' ? '0' : '1' })}
          data-testid={`def-${p}.expiry.kind`}
        />
        <Field path={leg.expiry === 'nearest' ? `${p}.expiry.min_days` : `${p}.expiry.n`} label={leg.expiry === 'nearest' ? 'min days' : 'n'} w={70} value={leg.expiry_n} onChange={(v) => set({ expiry_n: v })} errors={errors} />
        <RuleField path={`${p}.stop_loss`} label="Leg SL" kind={leg.sl_kind} value={leg.sl_value} onKind={(k) => set({ sl_kind: k })} onValue={(v) => set({ sl_value: v })} errors={errors} />
        <RuleField path={`${p}.take_profit`} label="Leg TP" kind={leg.tp_kind} value={leg.tp_value} onKind={(k) => set({ tp_kind: k })} onValue={(v) => set({ tp_value: v })} errors={errors} />
        {remove && (
          <Button size="compact-xs" variant="subtle" color="red" mt={22} onClick={remove} data-testid={`def-remove-leg-${i}`}>
            Remove
          </Button>
        )}
      </Group>
    </Paper>
  );
}

/**
 * Create or edit a strategy definition: every field of the schema (legs, schedule, entry ladder,
 * exits with trailing and forced exit, re-entry). Validated with the contract's schema before it is
 * sent; the desk's refusal is shown the same way, under each field.
 */
export function DefinitionForm({ initial, editing, onSaved, onCancel, initialErrors = {} }: { initial: DefinitionDraft; editing: boolean; onSaved: (d: StrategyDefinition) => void; onCancel: () => void; initialErrors?: FieldErrors }) {
  const save = useCommand('strategy.save');
  const [d, setD] = useState<DefinitionDraft>(initial);
  const [errors, setErrors] = useState<FieldErrors>(initialErrors);
  const set = (patch: Partial<DefinitionDraft>) => setD((x) => ({ ...x, ...patch }));
  const setLeg = (i: number, patch: Partial<LegDraft>) => setD((x) => ({ ...x, legs: x.legs.map((l, j) => (j === i ? { ...l, ...patch } : l)) }));
  const known = fieldPaths(d);
  const other = Object.entries(errors).filter(([p]) => !known.has(p));
  const submit = async () => {
    const c = checkDraft(d);
    if (!c.ok) {
      setErrors(c.errors);
      return;
    }
    setErrors({});
    const o = await save.run({ definition: c.definition });
    if (o.ok) onSaved(o.result.definition);
    else setErrors(errorsByField(o.error));
  };
  const count = Object.keys(errors).length;
  return (
    <Stack gap={6} data-testid="def-form">
      {count > 0 && (
        <Alert color="red" py={4} data-testid="def-errors">
          {count === 1 ? 'One field is wrong' : `${count} fields are wrong`}: nothing saved.
          {other.map(([p, m]) => (
            <div key={p} data-testid={`def-error-${p}`}>
              {p}: {m}
            </div>
          ))}
        </Alert>
      )}
      <Section title="Strategy">
        <Group gap={6} align="flex-start" wrap="wrap">
          <TextInput size="xs" label="Id" value={d.id} disabled={editing} onChange={(e) => set({ id: e.currentTarget.value })} error={errors.id} data-testid="def-id" w={160} />
          <Field path="name" label="Name" value={d.name} onChange={(v) => set({ name: v })} errors={errors} w={200} />
          <Field path="account" label="Account" value={d.account} onChange={(v) => set({ account: v })} errors={errors} w={120} />
          <Field path="underlying" label="Underlying" value={d.underlying} onChange={(v) => set({ underlying: v })} errors={errors} w={100} />
        </Group>
      </Section>
      <Section title="Legs">
        <Stack gap={4}>
          {errors.legs && (
            <Text size="xs" c="red" data-testid="def-error-legs">
              {errors.legs}
            </Text>
          )}
          {d.legs.map((l, i) => (
            <LegFields key={i} i={i} leg={l} set={(patch) => setLeg(i, patch)} remove={d.legs.length > 1 ? () => setD((x) => ({ ...x, legs: x.legs.filter((_, j) => j !== i) })) : null} errors={errors} />
          ))}
          {d.legs.length < 4 && (
            <Button size="compact-xs" variant="light" w="fit-content" onClick={() => setD((x) => ({ ...x, legs: [...x.legs, newLegDraft()] }))} data-testid="def-add-leg">
              + Add leg
            </Button>
          )}
        </Stack>
      </Section>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing={6} verticalSpacing={6}>
        <Section title="Schedule (exchange time)">
          <Group gap={6} align="flex-start">
            <Field path="schedule.entry_time" label="Entry time" w={80} value={d.entry_time} onChange={(v) => set({ entry_time: v })} errors={errors} placeholder="HH:mm" />
            <Checkbox.Group size="xs" label="Days" value={d.days} onChange={(v) => set({ days: WEEKDAYS.filter((w) => v.includes(w)) })} error={errors['schedule.days']} data-testid="def-schedule.days">
              <Group gap={6} mt={6}>
                {WEEKDAYS.map((w) => (
                  <Checkbox key={w} value={w} label={w} size="xs" data-testid={`def-day-${w}`} />
                ))}
              </Group>
            </Checkbox.Group>
          </Group>
        </Section>
        <Section title="Entry ladder (limit from the mid, then …)">
          <Group gap={6} align="flex-start" wrap="wrap">
            <Field path="entry.max_retry" label="Max attempts" w={90} value={d.max_retry} onChange={(v) => set({ max_retry: v })} errors={errors} />
            <Field path="entry.retry_delay_ms" label="Delay (ms)" w={90} value={d.retry_delay_ms} onChange={(v) => set({ retry_delay_ms: v })} errors={errors} />
            <Field path="entry.step_ticks" label="Step (ticks)" w={80} value={d.step_ticks} onChange={(v) => set({ step_ticks: v })} errors={errors} />
            <Field path="entry.bound_spread_fraction" label="Bound (× half-spread)" w={130} value={d.bound_spread_fraction} onChange={(v) => set({ bound_spread_fraction: v })} errors={errors} />
            <NativeSelect
              size="xs"
              label="Then"
              data={[
                { value: 'market', label: 'market' },
                { value: 'give_up', label: 'give up' },
              ]}
              value={d.fallback}
              onChange={(e) => set({ fallback: e.currentTarget.value as DefinitionDraft['fallback'] })}
              data-testid="def-entry.fallback"
            />
          </Group>
        </Section>
        <Section title="Exits (whole structure)">
          <Stack gap={4}>
            <Group gap={12} align="flex-start" wrap="wrap">
              <RuleField path="exits.stop_loss" label="Stop loss" kind={d.sl_kind} value={d.sl_value} onKind={(k) => set({ sl_kind: k })} onValue={(v) => set({ sl_value: v })} errors={errors} />
              <RuleField path="exits.take_profit" label="Take profit" kind={d.tp_kind} value={d.tp_value} onKind={(k) => set({ tp_kind: k })} onValue={(v) => set({ tp_value: v })} errors={errors} />
              <Field path="exits.forced_exit_time" label="Forced exit (HH:mm)" placeholder="none" w={130} value={d.forced_exit_time} onChange={(v) => set({ forced_exit_time: v })} errors={errors} />
            </Group>
            <Group gap={6} align="flex-start">
              <Switch size="xs" mt={6} label="Trailing stop" checked={d.trailing} onChange={(e) => set({ trailing: e.currentTarget.checked })} data-testid="def-exits.trailing" />
              {d.trailing && (
                <>
                  <Field path="exits.trailing.activation_pct" label="Arms at (P&L %)" w={110} value={d.activation_pct} onChange={(v) => set({ activation_pct: v })} errors={errors} />
                  <Field path="exits.trailing.distance_pct" label="Trails by (%)" w={100} value={d.distance_pct} onChange={(v) => set({ distance_pct: v })} errors={errors} />
                </>
              )}
            </Group>
          </Stack>
        </Section>
        <Section title="Re-entry">
          <Group gap={6} align="flex-start">
            <Field path="reentry.count" label="Count" w={70} value={d.reentry_count} onChange={(v) => set({ reentry_count: v })} errors={errors} />
            <Field path="reentry.cutoff_time" label="Cut-off (HH:mm)" placeholder="none" w={130} value={d.cutoff_time} onChange={(v) => set({ cutoff_time: v })} errors={errors} />
          </Group>
        </Section>
      </SimpleGrid>
      <Group gap="xs">
        <Button size="xs" loading={save.pending} onClick={() => void submit()} data-testid="def-save">
          {editing ? 'Save changes' : 'Create'}
        </Button>
        <Button size="xs" variant="default" onClick={onCancel} data-testid="def-cancel">
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
