import { Alert, Button, Group, Text } from '@mantine/core';
import { useDeskStore } from '../../stores/desk-store';
import { StateIcon } from '../../components/StateIcon';
import { useCommand } from './use-command';
import { DESK_VENUES, type DeskVenue } from '@shared/contract';

/**
 * The broker session expired (a stream or REST refused credentials that had worked): say so, name
 * what refused it, and offer Re-authenticate — `session.reauthenticate`, which runs the venue's
 * authentication again and restarts its streams.
 */
/**
 * Who refused the session, each with its own reason: streams refused at auth (Alpaca's stream
 * error 402 "auth failed") and REST (HTTP 401) are grouped by what they said, so one channel's
 * reason is never credited to another.
 */
export function refusedBy(streams: readonly { name: string; state: string; lastError: string | null }[]): string {
  const byReason = new Map<string, string[]>();
  for (const x of streams) {
    if (x.state !== 'session_needed') continue;
    const key = x.lastError ?? '';
    byReason.set(key, [...(byReason.get(key) ?? []), x.name]);
  }
  return [...byReason].map(([reason, names]) => `${names.join(', ')}${reason ? ` (${reason})` : ''}`).join('; ');
}

export function SessionBanner() {
  const refused = useDeskStore((s) => refusedBy(s.streams));
  const venue = useDeskStore((s) => s.venue);
  const reauth = useCommand('session.reauthenticate');
  if (refused === '') return null;
  return (
    <Alert variant="filled" color="grape" radius="sm" data-testid="session-banner" title={`Session expired: ${venue || 'the venue'} refused the session`} icon={<StateIcon icon="key" />}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm">
          Refused by: {refused}. Prices from these streams stop updating and new entries are stopped until you sign in again.
        </Text>
        <Button
          size="xs"
          style={{ flex: 'none' }}
          variant="white"
          color="grape"
          loading={reauth.pending}
          data-testid="reauthenticate"
          onClick={() => {
            reauth.clear();
            void reauth.run(isDeskVenue(venue) ? { venue } : {});
          }}
        >
          Re-authenticate
        </Button>
      </Group>
      {reauth.error && (
        <Text size="xs" mt={4} data-testid="reauthenticate-error">
          Re-authentication failed: {reauth.error.message}
        </Text>
      )}
    </Alert>
  );
}

/** The subscription planner's warning (over the option-contract limit), with how many positions it leaves unpriced. */
export function PlanWarning() {
  const plan = useDeskStore((s) => s.plan);
  const affected = useDeskStore((s) => {
    if (!s.plan || s.plan.omitted.length === 0) return 0;
    const omitted = new Set(s.plan.omitted);
    let n = 0;
    for (const r of Object.values(s.records)) if (r.status !== 'CLOSED' && omitted.has(r.symbol)) n++;
    return n;
  });
  if (!plan || plan.warnings.length === 0) return null;
  return (
    <Alert variant="light" color="yellow" radius="sm" py={6} data-testid="plan-warning" title={`Subscription plan: over the limit of ${plan.max_option_contracts} option contracts`}>
      <Text size="sm" data-testid="plan-warning-text">
        {plan.warnings.join(' · ')}
      </Text>
      {affected > 0 && (
        <Text size="xs" mt={2} data-testid="plan-warning-positions">
          {affected} open {affected === 1 ? 'position is' : 'positions are'} not subscribed: {affected === 1 ? 'its' : 'their'} P&L stays unknown. Raise the limit in Settings (within your venue’s plan) or reduce the watchlist.
        </Text>
      )}
    </Alert>
  );
}

function isDeskVenue(venue: string): venue is DeskVenue {
  return (DESK_VENUES as readonly string[]).includes(venue);
}
