/**
 * The four panels of a strategy run's card (spec §9): Schedule & Status, Entry Execution, Position
 * Health, Exit Timeline. Each reads only the run's payload; countdowns tick on the desk's clock.
 */
import type { ReactNode } from 'react';
import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { EntryLegWire, StrategyRuntimeWire } from '@shared/contract';
import { useNowDerived } from '../../hooks/use-now';
import { DASH, contractLabel, formatPct, formatPrice, formatPoints, numberTone } from '../format/format';
import { STATUS_COLOR, STATUS_LABEL, clockOf, deltaText, entryCountdown, exitAt, exitCountdown, exitRuleText, expiryText, legTarget, legWords, quoteAgeText, trailingText, triggers, type CountdownLevel } from './run-words';

type Countdown = (run: StrategyRuntimeWire, serverNow: number) => { text: string; level: CountdownLevel };

/** A countdown re-rendered only when its text changes (once a second). */
export function RunCountdown({ run, which, clockOffsetMs, testId }: { run: StrategyRuntimeWire; which: 'entry' | 'exit'; clockOffsetMs: number; testId: string }) {
  const f: Countdown = which === 'entry' ? entryCountdown : exitCountdown;
  const text = useNowDerived((now) => f(run, now + clockOffsetMs).text);
  const level = useNowDerived((now) => f(run, now + clockOffsetMs).level);
  return (
    <span data-testid={testId} data-level={level} className={`figure-value${level === 'soon' ? ' countdown-soon' : level === 'due' ? ' tone-unknown' : ''}`}>
      {text}
    </span>
  );
}

/** A panel of the card: a small title and its content. */
function Panel({ title, testId, children, attempts, method }: { title: string; testId: string; children: ReactNode; attempts?: number; method?: string | null }) {
  return (
    <Paper withBorder p={8} radius="sm" className="run-panel" data-testid={testId} data-attempts={attempts} data-method={method ?? undefined}>
      <Text className="figure-label" mb={4}>
        {title}
      </Text>
      {children}
    </Paper>
  );
}

/** A label / value line of a panel. */
function Line({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="run-line">
      <span className="run-line-label">{label}</span>
      <span className="run-line-value" data-testid={testId}>
        {children}
      </span>
    </div>
  );
}

export function StatusBadge({ run }: { run: Pick<StrategyRuntimeWire, 'status' | 'strategy'> }) {
  const c = STATUS_COLOR[run.status];
  return (
    <Badge color={c.color} variant={c.variant} radius="sm" tt="none" data-testid="run-status" data-status={run.status}>
      {STATUS_LABEL[run.status]}
      {run.strategy.paused ? ' · paused' : ''}
    </Badge>
  );
}

export function SchedulePanel({ run, clockOffsetMs }: { run: StrategyRuntimeWire; clockOffsetMs: number }) {
  const c = run.strategy.config;
  return (
    <Panel title="Schedule & Status" testId="run-panel-schedule">
      <Stack gap={2}>
        <Line label="Config">
          <b>{c.name}</b> <Text span size="xs" c="dimmed">({c.id})</Text>
        </Line>
        <Line label="Underlying" testId="run-underlying">
          {c.underlying} · account {run.account}
        </Line>
        {c.legs.map((l, i) => (
          <Line key={i} label={`Leg ${i + 1}`} testId={`run-target-${i}`}>
            {legWords(l)} · {legTarget(l)} · {expiryText(l.expiry)}
          </Line>
        ))}
        <Line label="Status">
          <StatusBadge run={run} />{' '}
          <Text span size="sm" data-testid="run-status-reason">
            {run.status_reason ?? DASH}
          </Text>
        </Line>
        <Line label="Entry">
          <span data-testid="run-entry-at">{clockOf(run.scheduled_entry_at)}</span> ({c.schedule.entry_time} exch., {c.schedule.days.join(' ')}) · <RunCountdown run={run} which="entry" clockOffsetMs={clockOffsetMs} testId="run-entry-countdown" />
        </Line>
        <Line label="Planned exit">
          <span data-testid="run-exit-at">{run.strategy.exit_time ? clockOf(run.strategy.exit_time) : exitAt(run) === null ? 'none' : clockOf(new Date(exitAt(run)!).toISOString())}</span> · <RunCountdown run={run} which="exit" clockOffsetMs={clockOffsetMs} testId="run-exit-countdown" />
        </Line>
        <Line label="Re-entries left">{run.strategy.reentries_left}{c.reentry.cutoff_time ? ` (until ${c.reentry.cutoff_time})` : ''}</Line>
      </Stack>
    </Panel>
  );
}

/** The contract as a trader reads it; a symbol that does not carry its expiry and strike (not OCC) gets them appended. */
function contractText(l: Pick<EntryLegWire, 'symbol' | 'expiry' | 'strike'>): string {
  const label = contractLabel(l.symbol!);
  return label !== l.symbol ? label : `${l.symbol} · ${l.expiry ?? '?'} · ${l.strike ?? '?'}`;
}

const LEG_STATUS_TONE: Record<string, string> = { filled: 'tone-pos', failed: 'tone-neg', cancelled: 'tone-zero', working: '', pending: 'tone-zero' };

export function EntryPanel({ run }: { run: StrategyRuntimeWire }) {
  const e = run.entry;
  const ladder = run.strategy.config.entry;
  const fellBack = e.method === 'market' || e.legs.some((l) => l.method === 'market');
  return (
    <Panel title="Entry Execution" testId="run-panel-entry" attempts={e.attempts} method={e.method}>
      <Group gap="xs" mb={4}>
        <Text size="sm" data-testid="run-entry-attempts">
          <b>{e.attempts}</b> attempt{e.attempts === 1 ? '' : 's'} of {ladder.max_retry} limit{ladder.fallback === 'market' ? ' → market' : ' → give up'}
        </Text>
        <Badge size="sm" radius="sm" tt="none" variant="light" color={fellBack ? 'orange' : e.method === 'limit' ? 'blue' : 'gray'} data-testid="run-entry-method" data-method={e.method ?? 'none'}>
          {e.method === null ? 'not started' : fellBack ? 'limit → market' : 'limit'}
        </Badge>
        {e.timestamp && (
          <Text size="xs" c="dimmed">
            started {clockOf(e.timestamp)}
          </Text>
        )}
      </Group>
      <div className="run-table-wrap">
      <table className="plain-table run-table">
        <thead>
          <tr>
            <th>Leg</th>
            <th>Contract</th>
            <th className="num">Δ (source · age)</th>
            <th>Try</th>
            <th className="num">Last / bound</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {e.legs.map((l) => (
            <tr key={l.leg} data-testid={`run-entry-leg-${l.leg}`} data-status={l.status} data-method={l.method ?? undefined} data-attempts={l.attempts} data-symbol={l.symbol ?? undefined}>
              <td>{legWords(l)}</td>
              <td title={l.symbol ? `${l.symbol} · expiry ${l.expiry ?? '?'} · strike ${l.strike ?? '?'}` : undefined} data-testid={`run-entry-contract-${l.leg}`}>
                {l.symbol ? contractText(l) : <span className="tone-zero">not selected</span>}
              </td>
              <td className="num" data-testid={`run-entry-delta-${l.leg}`}>
                {deltaText(l)}
              </td>
              <td data-testid={`run-entry-try-${l.leg}`}>
                {l.attempts === 0 ? DASH : `#${l.attempts} ${l.method ?? ''}`}
              </td>
              <td className="num">
                {formatPrice(l.last_price)} / {formatPrice(l.bound_price)}
              </td>
              <td className={LEG_STATUS_TONE[l.status]} title={l.reason ?? undefined}>
                {l.status}
                {l.filled_quantity > 0 && l.filled_quantity < l.quantity ? ` ${l.filled_quantity}/${l.quantity}` : ''}
                {l.reason ? ` · ${l.reason}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </Panel>
  );
}

export function HealthPanel({ run }: { run: StrategyRuntimeWire }) {
  const legs = run.strategy.config.legs;
  const t = run.strategy.trailing;
  return (
    <Panel title="Position Health" testId="run-panel-health">
      <Group gap="md" mb={4}>
        <Text size="sm">
          P&amp;L{' '}
          <b className={`tone-${numberTone(run.strategy.total_pnl)}`} data-testid="run-total-pnl">
            {formatPoints(run.strategy.total_pnl)}
          </b>{' '}
          {run.strategy.total_pnl === null && run.strategy.total_pnl_pct === null ? (
            <Text span size="xs" c="dimmed" data-testid="run-total-pnl-pct">
              unknown: a leg has no fresh mark
            </Text>
          ) : (
            <span className={`tone-${numberTone(run.strategy.total_pnl_pct)}`} data-testid="run-total-pnl-pct">
              {formatPct(run.strategy.total_pnl_pct, 2, { signed: true })}
            </span>
          )}
        </Text>
        <Text size="sm" data-testid="run-trailing" data-armed={t?.armed ? 'true' : 'false'}>
          Trailing: <b className={t?.armed ? 'tone-pos' : undefined}>{trailingText(t)}</b>
          {t?.last_change_at ? <Text span size="xs" c="dimmed">{` · moved ${clockOf(t.last_change_at)}`}</Text> : null}
        </Text>
      </Group>
      {run.positions.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="run-no-positions">
          No position yet.
        </Text>
      ) : (
        <div className="run-table-wrap">
      <table className="plain-table run-table">
          <thead>
            <tr>
              <th>Leg</th>
              <th className="num">Entry → current</th>
              <th className="num">P&amp;L</th>
              <th className="num">%</th>
              <th>Quote age</th>
              <th className="num">SL / TP</th>
            </tr>
          </thead>
          <tbody>
            {run.positions.map((p) => {
              const age = quoteAgeText(p);
              const leg = legs[p.leg];
              return (
                <tr key={p.leg} data-testid={`run-position-${p.leg}`} data-symbol={p.symbol} data-entry-price={p.entry_price ?? undefined} data-fresh={p.quote_fresh ? 'true' : 'false'}>
                  <td title={p.symbol} className="run-leg-cell">
                    {p.side.toUpperCase()} {p.quantity} {contractLabel(p.symbol)}
                    {p.exit_reason ? (
                      <>
                        <br />
                        <span className="warn-chip warn-info" data-testid={`run-position-exited-${p.leg}`}>
                          exited: {p.exit_reason}
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td className="num">
                    {formatPrice(p.entry_price)} → {formatPrice(p.current_price)}
                  </td>
                  <td className={`num tone-${numberTone(p.pnl_abs)}`} data-testid={`run-pnl-${p.leg}`}>
                    {formatPoints(p.pnl_abs)}
                  </td>
                  <td className={`num tone-${numberTone(p.pnl_pct)}`} data-testid={`run-pnl-pct-${p.leg}`}>
                    {formatPct(p.pnl_pct, 2, { signed: true })}
                  </td>
                  <td>
                    <span className={`age-badge ${age.level === 'fresh' ? 'age-fresh' : 'age-stale'}`} data-testid={`run-quote-age-${p.leg}`} data-level={age.level}>
                      {age.text}
                    </span>
                  </td>
                  <td className="num" title={leg ? `SL ${exitRuleText(leg.stop_loss)} · TP ${exitRuleText(leg.take_profit)}` : undefined}>
                    {formatPrice(p.stop_loss_price)} / {formatPrice(p.take_profit_price)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </Panel>
  );
}

export function ExitPanel({ run, clockOffsetMs, controls }: { run: StrategyRuntimeWire; clockOffsetMs: number; controls: ReactNode }) {
  const list = triggers(run);
  const planned = exitAt(run);
  return (
    <Panel title="Exit Timeline" testId="run-panel-exit">
      <Stack gap={2}>
        <Line label="Planned exit">
          {planned === null ? 'none' : clockOf(new Date(planned).toISOString())} · <RunCountdown run={run} which="exit" clockOffsetMs={clockOffsetMs} testId="run-exit-remaining" />
        </Line>
        <div className="run-triggers" data-testid="run-triggers">
          {list.map((t) => (
            <span key={t.id} className={`warn-chip ${t.fired ? 'warn-severe' : 'warn-info'}`} data-testid={`run-trigger-${t.id}`} data-fired={t.fired ? 'true' : 'false'}>
              {t.fired ? '● ' : ''}
              {t.label}: {t.detail}
            </span>
          ))}
        </div>
        <Line label="Exit reason" testId="run-exit-reason">
          {run.strategy.exit_reason ?? DASH}
        </Line>
        {controls}
      </Stack>
    </Panel>
  );
}
