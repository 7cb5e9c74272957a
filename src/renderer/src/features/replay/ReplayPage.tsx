import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Button, Checkbox, Code, Group, Paper, Progress, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { ReplayDayWire, ReplayResultWire, ReplaySavedWire, ReplaySpeedWire, StrategyDefinition } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useTransport } from '../../transport/context';
import { useCommand } from '../portfolio/use-command';
import { PnlChart } from '../charts/PnlChart';
import { formatMoney } from '../format/format';
import { applyStatus, compare, dayClock, EMPTY_VIEW, SPEED_LABEL, sinceOf, timeOnDay, type ReplayView } from './replay-words';

const POLL_MS = 250;
const SPEEDS: ReplaySpeedWire[] = ['1', '10', '100', 'max'];

/**
 * Replay (spec §11, issue 21): a recorded, imported or sample day played through a separate desk —
 * the same quote cache, P&L, monitoring cycle and strategy runtime as live — at 1×, 10×, 100× or as
 * fast as possible, with the progress and time of day, the P&L curve growing, trades and events as
 * they happen, and the result at the end (saved and compared run to run). The live desk is not touched.
 */
export function ReplayPage() {
  const definitions = useDeskStore((s) => s.strategyDefinitions);
  const transport = useTransport();
  const sources = useCommand('replay.sources');
  const start = useCommand('replay.start');
  const control = useCommand('replay.control');
  const importCsv = useCommand('replay.import');
  const [dayId, setDayId] = useState<string | null>(null);
  const [account, setAccount] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [speed, setSpeed] = useState<ReplaySpeedWire>('100');
  const [seekAt, setSeekAt] = useState('');
  const [view, setView] = useState<ReplayView>(EMPTY_VIEW);
  /** Bumped by a save: the saved results are read again. */
  const [saves, setSaves] = useState(0);
  // The view as the poller last built it (kept outside render; the page renders `view`).
  const viewRef = useRef(view);
  const runSources = sources.run;

  useEffect(() => {
    void runSources({});
  }, [runSources]);

  // The status, polled: the curve and the feed arrive as increments after what the page has.
  useEffect(() => {
    let stopped = false;
    let busy = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        const out = await transport.call('replay.status', sinceOf(viewRef.current));
        if (!stopped && out.ok) {
          const next = applyStatus(viewRef.current, out.result.status);
          viewRef.current = next;
          setView(next);
        }
      } finally {
        busy = false;
      }
    };
    void tick();
    const h = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(h);
    };
  }, [transport]);

  const days = sources.result?.days ?? [];
  const day = days.find((d) => d.id === dayId) ?? days[0] ?? null;
  const accounts = useMemo(() => [...new Set(definitions.map((d) => d.account))].sort(), [definitions]);
  const chosenAccount = account ?? accounts[0] ?? null;
  const ofAccount = definitions.filter((d) => d.account === chosenAccount);
  const status = view.status;
  const running = status !== null && (status.state === 'playing' || status.state === 'paused' || status.state === 'preparing');

  const play = () => {
    if (!day) return;
    viewRef.current = EMPTY_VIEW;
    setView(EMPTY_VIEW);
    void start.run({ day_id: day.id, strategy_ids: picked.filter((id) => ofAccount.some((d) => d.id === id)), speed });
  };
  const act = (action: 'pause' | 'resume' | 'step' | 'stop') => void control.run({ action, ...(action === 'resume' ? { speed } : {}) });
  const changeSpeed = (v: string) => {
    const s = v as ReplaySpeedWire;
    setSpeed(s);
    if (running) void control.run({ action: 'speed', speed: s });
  };
  const seek = () => {
    const t = status?.day ? timeOnDay(status.day.first_at, seekAt) : null;
    if (t !== null) void control.run({ action: 'seek', time: t });
  };
  const onFile = async (file: File | null) => {
    if (!file) return;
    const out = await importCsv.run({ name: file.name, csv: await file.text() });
    if (out.ok && out.result.ok && out.result.day) {
      await runSources({});
      setDayId(out.result.day.id);
    }
  };
  const error = start.error ?? control.error ?? sources.error;

  return (
    <Stack gap="sm" data-testid="replay-page">
      <Text size="xs" c="dimmed">
        A day of quotes played through a separate desk — the same quote cache, P&amp;L, monitoring cycle and strategy runtime as live, at the speed you choose. The live desk is not touched. Times are the replayed day&apos;s, in UTC (the simulated venue&apos;s zone, which a replay runs in).
      </Text>
      <Paper withBorder p="sm">
        <Stack gap="xs">
          <Group gap="sm" align="flex-end" wrap="wrap">
            <Select
              label="Day"
              w={360}
              data={days.map((d) => ({ value: d.id, label: dayLabel(d) }))}
              value={day?.id ?? null}
              onChange={setDayId}
              allowDeselect={false}
              data-testid="replay-day"
              placeholder={sources.pending ? 'Loading…' : 'No day to replay'}
            />
            <Select label="Account's strategies" w={180} data={accounts} value={chosenAccount} onChange={setAccount} allowDeselect={false} data-testid="replay-account" placeholder="No strategy defined" />
            <div>
              <Text size="sm" fw={500} mb={2}>
                Speed
              </Text>
              <SegmentedControl size="xs" value={speed} onChange={changeSpeed} data={SPEEDS.map((s) => ({ value: s, label: SPEED_LABEL[s] }))} data-testid="replay-speed" />
            </div>
            <Button onClick={play} disabled={!day} loading={start.pending} data-testid="replay-play">
              Play
            </Button>
            <label>
              <Text size="sm" span c="dimmed">
                Import CSV{' '}
              </Text>
              <input type="file" accept=".csv,text/csv" data-testid="replay-import" onChange={(e) => void onFile(e.currentTarget.files?.[0] ?? null)} />
            </label>
          </Group>
          {day && (
            <Text size="xs" c="dimmed" data-testid="replay-day-info">
              {day.date} · {day.steps.toLocaleString('en-US')} steps · {day.symbols > 0 ? `${day.symbols} symbols · ` : ''}
              {dayClock(day.first_at)} → {dayClock(day.last_at)} · venue {day.venue}
              {day.synthetic && (
                <Badge ml="xs" size="xs" color="grape" variant="light" data-testid="replay-synthetic">
                  synthetic
                </Badge>
              )}
            </Text>
          )}
          <StrategyPicker definitions={ofAccount} picked={picked} onChange={setPicked} />
          {importCsv.result && !importCsv.result.ok && (
            <Alert color="red" title="Import refused: nothing was imported" data-testid="replay-import-errors">
              {importCsv.result.errors.map((e) => (
                <div key={e}>{e}</div>
              ))}
            </Alert>
          )}
          {error && (
            <Alert color="red" data-testid="replay-error">
              {error.message}
            </Alert>
          )}
        </Stack>
      </Paper>
      {status && status.state !== 'idle' && (
        <Paper withBorder p="sm" data-testid="replay-run" data-state={status.state}>
          <Stack gap="xs">
            <Group justify="space-between" wrap="wrap">
              <Group gap="xs">
                <Title order={5}>{status.day?.label ?? 'Replay'}</Title>
                <Badge variant="light" data-testid="replay-state">
                  {status.state}
                </Badge>
                <Text size="sm" data-testid="replay-clock">
                  {dayClock(status.time)}
                </Text>
              </Group>
              <Group gap="xs">
                {status.state === 'playing' ? (
                  <Button size="xs" variant="default" onClick={() => act('pause')} data-testid="replay-pause">
                    Pause
                  </Button>
                ) : (
                  <Button size="xs" variant="default" onClick={() => act('resume')} disabled={status.state !== 'paused'} data-testid="replay-resume">
                    Resume
                  </Button>
                )}
                <Button size="xs" variant="default" onClick={() => act('step')} disabled={status.state === 'done' || status.state === 'failed'} data-testid="replay-step">
                  Step
                </Button>
                <TextInput size="xs" w={80} placeholder="HH:MM" aria-label="Seek to (HH:MM UTC)" value={seekAt} onChange={(e) => setSeekAt(e.currentTarget.value)} data-testid="replay-seek-time" />
                <Button size="xs" variant="default" onClick={seek} disabled={status.state === 'done' || timeOnDay(status.day?.first_at ?? 0, seekAt) === null} data-testid="replay-seek">
                  Seek
                </Button>
                <Button size="xs" variant="default" color="red" onClick={() => act('stop')} disabled={!running} data-testid="replay-stop">
                  Stop
                </Button>
              </Group>
            </Group>
            <Progress value={status.progress_percentage} size="lg" aria-label="Replay progress" data-testid="replay-progress" data-value={status.progress_percentage} />
            <Group gap="lg">
              <Text size="xs" data-testid="replay-progress-text">
                {status.ticks_processed.toLocaleString('en-US')} / {status.total_ticks.toLocaleString('en-US')} steps ({status.progress_percentage.toFixed(2)} %)
              </Text>
              <Text size="xs" data-testid="replay-total">
                <Text span c="dimmed">Total P&amp;L </Text>
                {status.total_pnl === null ? 'unknown' : formatMoney(status.total_pnl, 2, { signed: true })}
              </Text>
              <Text size="xs" data-testid="replay-trades">
                <Text span c="dimmed">Trades </Text>
                {status.trades}
              </Text>
              <Text size="xs" c="dimmed" data-testid="replay-active-nodes">
                {status.active_nodes.length > 0 ? `active: ${status.active_nodes.join(', ')}` : 'no strategy node active'}
              </Text>
            </Group>
            {status.error && (
              <Alert color="red" data-testid="replay-run-error">
                {status.error}
              </Alert>
            )}
          </Stack>
        </Paper>
      )}
      {view.points.length > 0 && <PnlChart points={view.points} currency={status?.result?.currency ?? 'USD'} decimals={2} minGapMs={30 * 60_000} height={180} />}
      {status?.result && <ResultSummary result={status.result} onSaved={() => setSaves((n) => n + 1)} />}
      {view.feed.length > 0 && <Feed items={view.feed} />}
      <SavedResults current={status?.result ?? null} refreshKey={saves} />
    </Stack>
  );
}

function dayLabel(d: ReplayDayWire): string {
  const kind = d.kind === 'recorded' ? 'recorded' : d.kind === 'import' ? 'imported' : 'sample';
  return `${d.label} (${kind}, ${d.date})`;
}

function StrategyPicker({ definitions, picked, onChange }: { definitions: readonly StrategyDefinition[]; picked: string[]; onChange: (ids: string[]) => void }) {
  if (definitions.length === 0) {
    return (
      <Text size="xs" c="dimmed" data-testid="replay-no-strategies">
        No strategy definitions: the replay values the day&apos;s quotes only. Define strategies on Live Control to run them on a replayed day.
      </Text>
    );
  }
  return (
    <Group gap="md" data-testid="replay-strategies">
      {definitions.map((d) => (
        <Checkbox
          key={d.id}
          size="xs"
          label={`${d.name} (${d.underlying}, entry ${d.schedule.entry_time})`}
          checked={picked.includes(d.id)}
          onChange={(e) => onChange(e.currentTarget.checked ? [...picked, d.id] : picked.filter((x) => x !== d.id))}
          data-testid={`replay-strategy-${d.id}`}
        />
      ))}
    </Group>
  );
}

function money(v: string | null): string {
  return v === null ? 'unknown' : formatMoney(v, 2, { signed: true });
}

function ResultSummary({ result, onSaved }: { result: ReplayResultWire; onSaved: () => void }) {
  const save = useCommand('replay.save');
  const [label, setLabel] = useState('');
  return (
    <Paper withBorder p="sm" data-testid="replay-result">
      <Stack gap={6}>
        <Group justify="space-between">
          <Title order={5}>Result</Title>
          <Group gap="xs">
            <TextInput size="xs" w={200} placeholder="label (optional)" aria-label="Result label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} />
            <Button size="xs" onClick={() => void save.run({ label }).then((o) => o.ok && onSaved())} loading={save.pending} disabled={save.result?.saved.hash === result.hash && save.result.saved.label === (label || save.result.saved.label)} data-testid="replay-save">
              {save.result ? 'Saved' : 'Save result'}
            </Button>
          </Group>
        </Group>
        <Group gap="lg" wrap="wrap">
          <Text size="sm" data-testid="replay-result-realized">
            <Text span c="dimmed">Realized P&amp;L </Text>
            {money(result.realized_pnl)}
          </Text>
          <Text size="sm" data-testid="replay-result-total">
            <Text span c="dimmed">Total </Text>
            {money(result.total_pnl)}
          </Text>
          <Text size="sm" data-testid="replay-result-drawdown">
            <Text span c="dimmed">Max drawdown </Text>
            {result.max_drawdown === null ? 'unknown' : `${formatMoney(result.max_drawdown, 2)}${result.max_drawdown_at !== null ? ` at ${dayClock(result.max_drawdown_at)}` : ''}`}
          </Text>
          <Text size="sm" data-testid="replay-result-trades">
            <Text span c="dimmed">Trades </Text>
            {result.trades}
          </Text>
          <Text size="sm" c="dimmed">
            {result.steps.toLocaleString('en-US')} steps · {result.events.toLocaleString('en-US')} events
          </Text>
        </Group>
        {result.strategies.length > 0 && (
          <Table fz="xs" withTableBorder data-testid="replay-result-strategies">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Strategy</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>P&amp;L</Table.Th>
                <Table.Th>Exit</Table.Th>
                <Table.Th>Entry orders</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.strategies.map((s) => (
                <Table.Tr key={s.run_id} data-testid={`replay-outcome-${s.strategy_id}`}>
                  <Table.Td>{s.name}</Table.Td>
                  <Table.Td title={s.status_reason ?? undefined}>{s.status}</Table.Td>
                  <Table.Td>{s.pnl === null ? 'unknown' : formatMoney(s.pnl.toFixed(2), 2, { signed: true })}</Table.Td>
                  <Table.Td>{s.exit_reason ?? '—'}</Table.Td>
                  <Table.Td>{s.entry_attempts}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed">
          Event stream sha256 (the same day, strategies and settings give the same): <Code data-testid="replay-hash">{result.hash}</Code>
        </Text>
        {save.error && (
          <Text size="xs" c="red">
            {save.error.message}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Feed({ items }: { items: ReplayView['feed'] }) {
  const shown = items.slice(-200).reverse();
  return (
    <Paper withBorder p="sm" data-testid="replay-feed">
      <Title order={5} mb={4}>
        Trades and events
      </Title>
      <div style={{ maxHeight: 260, overflowY: 'auto' }}>
        <Table fz="xs" striped>
          <Table.Tbody>
            {shown.map((f) => (
              <Table.Tr key={f.seq} data-testid="replay-feed-row" data-kind={f.kind}>
                <Table.Td w={110}>{dayClock(f.t)}</Table.Td>
                <Table.Td w={70}>{f.kind}</Table.Td>
                <Table.Td>{f.text}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </Paper>
  );
}

function SavedResults({ current, refreshKey }: { current: ReplayResultWire | null; refreshKey: number }) {
  const results = useCommand('replay.results');
  const [base, setBase] = useState<number | null>(null);
  const runResults = results.run;
  const hash = current?.hash ?? null;
  useEffect(() => {
    void runResults({});
  }, [runResults, hash, refreshKey]);
  const list: ReplaySavedWire[] = results.result?.results ?? [];
  if (list.length === 0) return null;
  const baseline = list.find((r) => r.result_id === base) ?? null;
  return (
    <Paper withBorder p="sm" data-testid="replay-saved">
      <Group justify="space-between" mb={4}>
        <Title order={5}>Saved results</Title>
        <Button size="xs" variant="subtle" onClick={() => void runResults({})}>
          Refresh
        </Button>
      </Group>
      <Table fz="xs" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Compare</Table.Th>
            <Table.Th>Label</Table.Th>
            <Table.Th>Day</Table.Th>
            <Table.Th>Total P&amp;L</Table.Th>
            <Table.Th>Max drawdown</Table.Th>
            <Table.Th>Trades</Table.Th>
            <Table.Th>vs baseline</Table.Th>
            <Table.Th>sha256</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.map((r) => {
            const c = compare(r, baseline);
            return (
              <Table.Tr key={r.result_id} data-testid={`replay-saved-${r.result_id}`}>
                <Table.Td>
                  <Checkbox size="xs" aria-label={`baseline ${r.label}`} checked={base === r.result_id} onChange={() => setBase(base === r.result_id ? null : r.result_id)} />
                </Table.Td>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td>{r.day_label}</Table.Td>
                <Table.Td>{money(r.total_pnl)}</Table.Td>
                <Table.Td>{r.max_drawdown === null ? 'unknown' : formatMoney(r.max_drawdown, 2)}</Table.Td>
                <Table.Td>{r.trades}</Table.Td>
                <Table.Td data-testid="replay-compare">
                  {baseline === null || baseline.result_id === r.result_id ? '—' : `${c.same ? 'same stream' : 'differs'}; P&L ${c.pnl === null ? 'unknown' : (c.pnl >= 0 ? '+' : '') + c.pnl.toFixed(2)}; trades ${c.trades! >= 0 ? '+' : ''}${c.trades}`}
                </Table.Td>
                <Table.Td>
                  <Code>{r.hash.slice(0, 12)}</Code>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
