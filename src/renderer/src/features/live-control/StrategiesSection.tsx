import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Modal, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import type { StrategyDefinition, TradingStateWire } from '@shared/contract';
import { ConfirmAction } from '../orders/ConfirmAction';
import { accountPhrase } from '../orders/trading-words';
import { useCommand } from '../portfolio/use-command';
import { DefinitionForm } from './DefinitionForm';
import { draftOfDefinition, importErrorLines, newDraft } from './definition-form';
import { exitRuleText, legTarget, legWords } from './run-words';

/** The import's outcome: what was saved, or every error by definition index (nothing saved then). */
export function ImportResult({ saved, errors }: { saved: readonly StrategyDefinition[]; errors: readonly { index: number; errors: string[] }[] }) {
  if (errors.length > 0) {
    return (
      <Alert color="red" py={4} data-testid="import-errors">
        Nothing imported: {errors.length === 1 ? 'one definition is' : `${errors.length} definitions are`} wrong.
        {importErrorLines(errors).map((l, i) => (
          <div key={i} data-testid={`import-error-${i}`}>
            {l}
          </div>
        ))}
      </Alert>
    );
  }
  return (
    <Alert color="teal" py={4} data-testid="import-saved">
      Imported {saved.length === 1 ? '1 definition' : `${saved.length} definitions`}: {saved.map((d) => d.id).join(', ')}.
    </Alert>
  );
}

function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const imp = useCommand('strategy.import');
  const [json, setJson] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const readFile = (f: File | undefined) => {
    if (!f) return;
    f.text().then(
      (t) => {
        setFileError(null);
        setJson(t);
      },
      (err: unknown) => setFileError(`${f.name}: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Import strategy definitions (JSON)" size="lg" data-testid="import-modal">
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          One definition or an array, as exported. Nothing is saved unless every definition is valid.
        </Text>
        <input type="file" accept=".json,application/json" onChange={(e) => readFile(e.currentTarget.files?.[0])} data-testid="import-file" />
        {fileError && <Alert color="red" py={4}>{fileError}</Alert>}
        <Textarea autosize minRows={6} maxRows={18} value={json} onChange={(e) => setJson(e.currentTarget.value)} placeholder='[{"id": "spy-strangle", …}]' data-testid="import-json" styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} />
        {imp.error && (
          <Alert color="red" py={4} data-testid="import-error">
            {imp.error.message}
          </Alert>
        )}
        {imp.result && <ImportResult saved={imp.result.saved} errors={imp.result.errors} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button disabled={json.trim().length < 2} loading={imp.pending} onClick={() => void imp.run({ json })} data-testid="import-submit">
            Import
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Saves text as a file through the browser (the Electron window and a browser alike). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function definitionSummary(d: StrategyDefinition): string {
  const legs = d.legs.map((l) => `${legWords(l)} ${legTarget(l)}`).join(' + ');
  const exits = [d.exits.stop_loss && `SL ${exitRuleText(d.exits.stop_loss)}`, d.exits.take_profit && `TP ${exitRuleText(d.exits.take_profit)}`, d.exits.trailing && `trail ${d.exits.trailing.activation_pct}%/${d.exits.trailing.distance_pct}%`, d.exits.forced_exit_time && `forced ${d.exits.forced_exit_time}`].filter(Boolean).join(' · ');
  return `${legs} · entry ${d.schedule.entry_time} ${d.schedule.days.join(' ')}${exits ? ` · ${exits}` : ''}`;
}

type Editing = { kind: 'new' } | { kind: 'edit'; definition: StrategyDefinition } | null;

/**
 * The Live Control page's Strategies section: the definitions (one line each: legs, schedule, exits),
 * New / Edit through the form, Import JSON (paste or a file) and Export JSON (a download), and Start
 * per definition (confirmed, naming the account and its mode; optionally entering now).
 */
export function StrategiesSection({ definitions, reported, trading }: { definitions: readonly StrategyDefinition[]; reported: boolean; trading: readonly TradingStateWire[] }) {
  const [editing, setEditing] = useState<Editing>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [starting, setStarting] = useState<StrategyDefinition | null>(null);
  const [enterNow, setEnterNow] = useState(false);
  const exp = useCommand('strategy.export');
  const start = useCommand('strategy.start');
  const del = useCommand('strategy.delete');
  const exportAll = async (ids?: string[]) => {
    const o = await exp.run(ids ? { ids } : {});
    if (o.ok) download(ids?.length === 1 ? `strategy-${ids[0]}.json` : 'strategies.json', o.result.json);
  };
  const acct = (id: string) => trading.find((t) => t.account === id);
  const startWhere = starting ? accountPhrase(starting.account, acct(starting.account)?.venue_mode ?? null, acct(starting.account)?.mode ?? null) : '';
  const error = exp.error ?? del.error;
  return (
    <Paper withBorder p="sm" data-testid="strategies">
      <Stack gap={6}>
        <Group justify="space-between">
          <Title order={5}>Strategies</Title>
          <Group gap="xs">
            <Button size="compact-sm" onClick={() => setEditing({ kind: 'new' })} data-testid="strategy-new">
              New
            </Button>
            <Button size="compact-sm" variant="default" onClick={() => setImportOpen(true)} data-testid="strategy-import">
              Import JSON
            </Button>
            <Button size="compact-sm" variant="default" disabled={definitions.length === 0} loading={exp.pending} onClick={() => void exportAll()} data-testid="strategy-export">
              Export JSON
            </Button>
          </Group>
        </Group>
        {error && (
          <Alert color="red" py={4} withCloseButton onClose={() => (exp.error ? exp.clear() : del.clear())} data-testid="strategy-error">
            {error.message}
          </Alert>
        )}
        {editing && (
          <DefinitionForm
            key={editing.kind === 'edit' ? editing.definition.id : 'new'}
            initial={editing.kind === 'edit' ? draftOfDefinition(editing.definition) : newDraft(trading[0]?.account ?? 'default')}
            editing={editing.kind === 'edit'}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
        {!reported ? (
          <Text size="sm" c="dimmed" data-testid="strategies-empty">
            The desk has not reported strategies.
          </Text>
        ) : definitions.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="strategies-empty">
            No strategy defined: New or Import JSON.
          </Text>
        ) : (
          <table className="plain-table">
            <tbody>
              {definitions.map((d) => (
                <tr key={d.id} data-testid={`strategy-${d.id}`}>
                  <td>
                    <b>{d.name}</b>
                    <Text span size="xs" c="dimmed">
                      {' '}
                      {d.id} · {d.underlying} · account {d.account}
                    </Text>
                  </td>
                  <td style={{ whiteSpace: 'normal' }}>
                    <Text size="xs">{definitionSummary(d)}</Text>
                  </td>
                  <td style={{ textAlign: 'right' }}>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="compact-xs" color="teal" onClick={() => setStarting(d)} data-testid={`strategy-start-${d.id}`}>
                        Start
                      </Button>
                      <Button size="compact-xs" variant="default" onClick={() => setEditing({ kind: 'edit', definition: d })} data-testid={`strategy-edit-${d.id}`}>
                        Edit
                      </Button>
                      <Button size="compact-xs" variant="default" onClick={() => void exportAll([d.id])} data-testid={`strategy-export-${d.id}`}>
                        Export
                      </Button>
                      <Button size="compact-xs" variant="subtle" color="red" loading={del.pending} onClick={() => void del.run({ id: d.id })} data-testid={`strategy-delete-${d.id}`}>
                        Delete
                      </Button>
                    </Group>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Stack>
      {importOpen && <ImportModal opened={importOpen} onClose={() => setImportOpen(false)} />}
      <ConfirmAction
        opened={starting !== null}
        title={`Start ${starting?.name ?? ''}`}
        what={
          <>
            A run of {starting?.name} ({starting?.id}) {enterNow ? 'enters now' : `waits for its entry at ${starting?.schedule.entry_time} (exchange time)`}, then trades by its rules.
            <Checkbox mt="xs" size="xs" label="Enter now (do not wait for the scheduled time)" checked={enterNow} onChange={(e) => setEnterNow(e.currentTarget.checked)} data-testid="strategy-start-now" />
          </>
        }
        where={startWhere}
        live={starting !== null && acct(starting.account)?.venue_mode === 'LIVE'}
        confirmLabel="Start"
        color="teal"
        pending={start.pending}
        error={start.error?.message ?? null}
        onConfirm={() => {
          if (!starting) return;
          void start.run({ strategy_id: starting.id, ...(enterNow ? { now: true } : {}) }).then((o) => {
            if (o.ok) {
              setStarting(null);
              setEnterNow(false);
            }
          });
        }}
        onCancel={() => {
          setStarting(null);
          setEnterNow(false);
          start.clear();
        }}
        testId="strategy-start-confirm"
      />
    </Paper>
  );
}
