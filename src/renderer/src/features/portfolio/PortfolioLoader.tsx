import { useState } from 'react';
import { Alert, Button, Group, List, Paper, Text, TextInput } from '@mantine/core';
import type { PortfolioError } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { selectPortfolio } from '../../stores/selectors';
import { formatClock, plural } from '../format/format';
import { problemLine } from './portfolio-errors';
import { useCommand } from './use-command';
import { usePortfolioView } from './view-state';
import { fileEntriesText } from './counts';

function ErrorList({ errors }: { errors: readonly { path: string; message: string; line?: number; column?: number }[] }) {
  return (
    <List size="sm" spacing={2} data-testid="portfolio-errors">
      {errors.slice(0, 20).map((e, i) => {
        const p = problemLine(e);
        return (
          <List.Item key={i} data-testid="portfolio-error-item">
            {p.where && (
              <>
                <Text span className="mono" fw={700} fz="sm">
                  {p.where}
                </Text>
                {': '}
              </>
            )}
            {p.message}
          </List.Item>
        );
      })}
      {errors.length > 20 && <List.Item>… and {plural(errors.length - 20, 'more problem', 'more problems')}</List.Item>}
    </List>
  );
}

/**
 * Load / reload portfolio.json. A bad file is reported with the JSON path of every problem, and
 * the last good positions stay in force (the desk keeps them; this panel says so).
 */
export function PortfolioLoader() {
  const status = useDeskStore(selectPortfolio);
  // What the trader typed; until then the input shows the file in force.
  const [draft, setDraft] = useState<string | null>(null);
  // The status's error (the last rejected load) can be dismissed; a new rejection shows again.
  const dismissedAt = usePortfolioView((v) => v.dismissedErrorAt);
  const dismiss = usePortfolioView((v) => v.dismissError);
  const path = draft ?? status?.path ?? '';
  const load = useCommand('portfolio.load');
  const reload = useCommand('portfolio.reload');

  const commandError = load.error ?? reload.error;
  const fileError: { path: string; errors: PortfolioError[] } | null = status?.error ?? null;
  // The command's own error (e.g. file not found) wins; else the last rejected load from the status.
  const errors: { path: string; message: string; line?: number; column?: number }[] | null = commandError
    ? (commandError.issues ?? [{ path: '$', message: commandError.message }])
    : fileError && (status?.error?.at ?? null) !== dismissedAt
      ? fileError.errors
      : null;
  const errorFile = commandError ? path : (fileError?.path ?? path);
  const pending = load.pending || reload.pending;

  const submit = async () => {
    reload.clear();
    const outcome = await load.run({ path: path.trim() });
    if (outcome.ok) setDraft(null);
  };

  return (
    <Paper withBorder px="sm" py={8} data-testid="portfolio-loader">
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
          portfolio.json
        </Text>
        <TextInput
          aria-label="portfolio.json path"
          placeholder="/path/to/portfolio.json"
          value={path}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && path.trim()) void submit();
          }}
          style={{ flex: 1 }}
          size="xs"
          classNames={{ input: 'mono' }}
          data-testid="portfolio-path"
        />
        <Button size="xs" onClick={() => void submit()} disabled={!path.trim()} loading={load.pending} data-testid="portfolio-load">
          Load
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            load.clear();
            void reload.run({});
          }}
          disabled={!status?.path || pending}
          loading={reload.pending}
          data-testid="portfolio-reload"
        >
          Reload
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mt={4} data-testid="portfolio-status">
        {status?.loaded_at
          ? `In force: ${fileEntriesText(status.positions, status.structures)}${status.account ? ` (account ${status.account})` : ''} from ${status.path} — loaded ${formatClock(status.loaded_at)}${status.watching ? ', reloaded when the file changes' : ''}.`
          : 'No portfolio loaded yet.'}
      </Text>
      {errors && (
        <Alert
          color="red"
          variant="light"
          mt="xs"
          title={`Could not load ${errorFile || 'the portfolio'}${errors.length > 1 ? ` — ${plural(errors.length, 'problem')}` : ''}`}
          data-testid="portfolio-error"
          icon={<span aria-hidden>!</span>}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => {
            load.clear();
            reload.clear();
            dismiss(status?.error?.at ?? null);
          }}
        >
          <ErrorList errors={errors} />
          <Text size="sm" mt={6} fw={600} data-testid="portfolio-kept">
            {status?.loaded_at
              ? `Nothing changed: the last good portfolio (${plural(status.positions, 'entry', 'entries')} from ${status.path}) stays in force.`
              : 'No portfolio is in force yet.'}
          </Text>
        </Alert>
      )}
    </Paper>
  );
}
