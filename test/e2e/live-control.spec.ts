/**
 * Issue 18, Playwright: the Live Control page on the headless desk — a short strangle on SPY imported
 * as JSON and started, scheduled ~20 s ahead (entry times are HH:mm in the exchange's zone; the sim
 * account's exchange is SIM, zone UTC, so the spec waits until a minute's second 38–40 and schedules
 * the next minute); the sim refuses the first two orders of the account's key
 * (`reject_next_order {count: 2, key: SIMKEY}`), the ladder fills after the refused attempts; the legs'
 * prices are held low (`hold_price`) until the trailing stop arms; then the forced exit at its time.
 * Screenshots of each state. Notifications: the shell's facade is not reachable from the headless
 * desk, so the spec asserts the `alert` events in the event history instead (Events page, one each).
 *
 * Needs the desk's strategy service (the lead's part of issue 18: strategy.import / start, the
 * engine, `strategy_runtime` events, the alerts), the sim's option chain with greeks and its
 * `hold_price` steering (another part). On the renderer-only branch `stratui` the desk answers
 * strategy.import "not built yet": the spec reaches the page and stops at the import step.
 */
import type { Locator } from '@playwright/test';
import { test, expect } from './fixtures';

/** The simulated venue's key of the default account (src/node/venues/sim/server.ts SIM_CREDENTIALS). */
const KEY = 'SIMKEY';
const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** Waits until the UTC second is in [38, 41) (and not in the last minutes of the UTC day); returns the next minute's start. */
async function nextMinuteAbout20sAhead(): Promise<Date> {
  for (;;) {
    const now = new Date();
    const s = now.getUTCSeconds();
    const lateInDay = now.getUTCHours() === 23 && now.getUTCMinutes() >= 56;
    if (s >= 38 && s < 41 && !lateInDay) return new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function strangle(entry: Date) {
  return {
    id: 'e2e-spy-strangle',
    name: 'E2E SPY strangle',
    account: 'default',
    underlying: 'SPY',
    legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.35 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null })),
    schedule: { entry_time: hhmm(entry), days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    entry: { max_retry: 3, retry_delay_ms: 1_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
    // trailing arms at 20% of the credit captured; the forced exit two minutes after the entry
    exits: { stop_loss: null, take_profit: null, trailing: { activation_pct: '20', distance_pct: '10' }, forced_exit_time: hhmm(new Date(entry.getTime() + 120_000)) },
    reentry: { count: 0, cutoff_time: null },
  };
}

async function alertsOf(rows: Locator, kind: string): Promise<number> {
  // the kind is on the row itself
  return rows.evaluateAll((els, k) => els.filter((e) => e.getAttribute('data-alert-kind') === k).length, kind);
}

test('live control - a strangle scheduled ~20 s ahead: refused attempts, the ladder fills, trailing arms, forced exit', async ({ desk, deskPage, page }, testInfo) => {
  test.setTimeout(300_000);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await deskPage.open(desk.url);
  await deskPage.start();
  await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'streaming');

  await test.step('Trade on the sim account (a strategy sends orders only in Trade)', async () => {
    await deskPage.get('trading-mode').click();
    await deskPage.get('mode-switch-default').getByText('Trade', { exact: true }).click();
    await expect(deskPage.get('trading-row-default')).toHaveAttribute('data-mode', 'trade');
    await page.keyboard.press('Escape');
  });

  await test.step('the Live Control page: no run yet, the Strategies section', async () => {
    await deskPage.goTo('live-control');
    await expect(deskPage.get('live-control-page')).toBeVisible();
    await expect(deskPage.get('strategies')).toBeVisible();
    await expect(deskPage.get('runs-empty')).toContainText('No strategy run in this session');
  });

  const entry = await nextMinuteAbout20sAhead();
  const definition = strangle(entry);

  await test.step(`import the strangle as JSON (entry ${definition.schedule.entry_time} UTC, forced exit ${definition.exits.forced_exit_time})`, async () => {
    await deskPage.get('strategy-import').click();
    await deskPage.get('import-json').fill(JSON.stringify([definition], null, 2));
    await deskPage.get('import-submit').click();
    await expect(deskPage.get('import-saved')).toContainText('Imported 1 definition: e2e-spy-strangle');
    await page.keyboard.press('Escape');
    await expect(deskPage.get('strategy-e2e-spy-strangle')).toBeVisible();
  });

  await test.step('a bad import is refused by definition index, nothing saved', async () => {
    await deskPage.get('strategy-import').click();
    await deskPage.get('import-json').fill(JSON.stringify([definition, { ...definition, id: 'bad', legs: [] }]));
    await deskPage.get('import-submit').click();
    await expect(deskPage.get('import-error-0')).toContainText('definition #2 (index 1): legs');
    await page.keyboard.press('Escape');
    await expect(deskPage.get('strategy-bad')).toHaveCount(0);
  });

  const card = page.locator('[data-run-id]').first();
  await test.step('start it: waiting, the entry counting down from about 20 s', async () => {
    await deskPage.get('strategy-start-e2e-spy-strangle').click();
    await expect(deskPage.get('strategy-start-confirm-where')).toContainText('account default (SIM, Trade mode)');
    await deskPage.get('strategy-start-confirm-confirm').click();
    await expect(card).toHaveAttribute('data-status', 'waiting');
    await expect(card.getByTestId('run-entry-countdown')).toHaveText(/^in (1?\d|2[0-2])s$/);
    const before = await card.getByTestId('run-entry-countdown').textContent();
    await expect(card.getByTestId('run-entry-countdown')).not.toHaveText(before ?? '');
    await expect(card.getByTestId('run-target-0')).toContainText('SELL 1 CALL · |Δ| 0.15–0.35');
    await shot('live-control-waiting');
    // the sim refuses the account's next two orders: the ladder's first attempts
    await desk.fault({ kind: 'reject_next_order', count: 2, key: KEY });
  });

  await test.step('entering at the scheduled time; the refused attempts are followed by more until both legs fill', async () => {
    await expect(card).toHaveAttribute('data-status', /^(entering|live)$/, { timeout: 40_000 });
    await shot('live-control-entering');
    await expect(card).toHaveAttribute('data-status', 'live', { timeout: 40_000 });
    const panel = card.getByTestId('run-panel-entry');
    expect(Number(await panel.getAttribute('data-attempts'))).toBeGreaterThanOrEqual(2);
    for (const leg of [0, 1]) {
      const row = card.getByTestId(`run-entry-leg-${leg}`);
      await expect(row).toHaveAttribute('data-status', 'filled');
      await expect(row).toHaveAttribute('data-symbol', /^SPY\d{6}[CP]\d{8}$/);
      await expect(card.getByTestId(`run-entry-delta-${leg}`)).toHaveText(/^-?0\.\d\d (venue|desk) · /);
    }
    // two orders refused → at least one leg needed a second attempt
    const tries = await Promise.all([0, 1].map(async (leg) => Number(await card.getByTestId(`run-entry-leg-${leg}`).getAttribute('data-attempts'))));
    expect(Math.max(...tries)).toBeGreaterThanOrEqual(2);
    await expect(card.getByTestId('run-position-0')).toBeVisible();
    await expect(card.getByTestId('run-position-1')).toBeVisible();
    await expect(card.getByTestId('run-trailing')).toHaveAttribute('data-armed', 'false');
    await shot('live-control-live');
  });

  await test.step('the audit log: the refused attempts and the fill, one click away', async () => {
    await card.getByTestId('run-audit').click();
    const table = deskPage.get('run-audit-table');
    await expect(table).toBeVisible();
    // two refused attempts and the one that filled (per leg or per round: at least two rows)
    expect(await table.locator('tr[data-kind="attempt"]').count()).toBeGreaterThanOrEqual(2);
    await expect(table).toContainText(/refused|rejected/i);
    await shot('live-control-audit');
    await page.keyboard.press('Escape');
  });

  await test.step('the legs held at half their entry price: the trailing stop arms (and the card flashes once)', async () => {
    for (const leg of [0, 1]) {
      const row = card.getByTestId(`run-position-${leg}`);
      const symbol = (await row.getAttribute('data-symbol'))!;
      // the entry price is known once the fill's price arrived (never shown as a number before)
      await expect.poll(async () => Number(await row.getAttribute('data-entry-price')), { timeout: 10_000 }).toBeGreaterThan(0.1);
      const entryPrice = Number(await row.getAttribute('data-entry-price'));
      await desk.fault({ kind: 'hold_price', symbol, price: Math.round(entryPrice * 50) / 100 });
    }
    await expect(card.getByTestId('run-trailing')).toHaveAttribute('data-armed', 'true', { timeout: 20_000 });
    await expect(card).toHaveAttribute('data-flash', 'trailing_armed');
    await expect(card.getByTestId('run-trailing')).toContainText(/armed · level \d+\.\d\d% · best \d+\.\d\d%/);
    await expect(card.getByTestId('run-pnl-pct-0')).toHaveText(/^\+\d/);
    await shot('live-control-trailing-armed');
    await expect(card).not.toHaveAttribute('data-flash', /.+/, { timeout: 10_000 });
  });

  await test.step('the forced exit at its time: exiting, then cooldown with the reason', async () => {
    await expect(card).toHaveAttribute('data-status', /^(exiting|cooldown)$/, { timeout: 130_000 });
    await shot('live-control-exiting');
    await expect(card.getByTestId('run-trigger-forced')).toHaveAttribute('data-fired', 'true');
    await expect(card).toHaveAttribute('data-status', 'cooldown', { timeout: 30_000 });
    await expect(card.getByTestId('run-exit-reason')).toContainText(/forced/i);
    await expect(card.getByTestId('run-exit-all')).toBeDisabled();
    await shot('live-control-forced-exit');
  });

  await test.step('notifications, once each: the alert events in the event history (the shell facade is not reachable headless)', async () => {
    await deskPage.goTo('events');
    await page.getByRole('button', { name: 'none', exact: true }).click();
    await deskPage.get('event-filter-alert').click();
    const rows = deskPage.get('event-list').locator('[data-testid="event-row"][data-depth="0"]');
    await expect(rows.first()).toBeVisible();
    expect(await alertsOf(rows, 'entry_succeeded')).toBe(1);
    expect(await alertsOf(rows, 'trailing_stop_activated')).toBe(1);
    expect(await alertsOf(rows, 'forced_exit')).toBe(1);
    expect(await alertsOf(rows, 'entry_failed')).toBe(0);
    await shot('live-control-alerts');
  });
});
