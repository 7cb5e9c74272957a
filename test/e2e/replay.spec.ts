/**
 * Issue 21, Playwright: the Replay page on the headless desk plays the shipped synthetic sample day
 * (one SPY chain, 390 one-minute steps) with a short strangle imported on Live Control: at 100× the
 * progress advances (time of day with it), then at max speed to the end; the result appears (P&L,
 * drawdown, trades, the strategy's outcome, the event-stream hash) and is saved. The live desk is
 * never started: a replay is a desk of its own.
 */
import { test, expect } from './fixtures';

const definition = {
  id: 'e2e-replay-strangle',
  name: 'E2E replay strangle',
  account: 'default',
  underlying: 'SPY',
  legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell', lots: 1, select: { by: 'delta', min: 0.1, max: 0.4 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null })),
  schedule: { entry_time: '09:32', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  entry: { max_retry: 3, retry_delay_ms: 2_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
  exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '15:30' },
  reentry: { count: 0, cutoff_time: null },
};

test('replay - the sample day at 100× then max: progress advances, the result appears', async ({ desk, deskPage, page }, testInfo) => {
  test.setTimeout(60_000);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await deskPage.open(desk.url);

  await test.step('a strangle defined on Live Control (imported as JSON)', async () => {
    await deskPage.goTo('live-control');
    await deskPage.get('strategy-import').click();
    await deskPage.get('import-json').fill(JSON.stringify([definition]));
    await deskPage.get('import-submit').click();
    await expect(deskPage.get('import-saved')).toContainText('e2e-replay-strangle');
    await page.keyboard.press('Escape');
    await expect(deskPage.get('strategy-e2e-replay-strangle')).toBeVisible();
  });

  await test.step('the Replay page offers the sample day, labelled synthetic', async () => {
    await deskPage.goTo('replay');
    await expect(deskPage.get('replay-day')).toHaveValue(/sample/i);
    await expect(deskPage.get('replay-synthetic')).toBeVisible();
    await expect(deskPage.get('replay-day-info')).toContainText('390 steps');
    await page.getByLabel('E2E replay strangle (SPY, entry 09:32)').check();
  });

  await test.step('at 100×: the progress advances with the time of day', async () => {
    await deskPage.get('replay-speed').getByText('100×').click();
    await deskPage.get('replay-play').click();
    const progress = deskPage.get('replay-progress');
    await expect.poll(async () => Number(await progress.getAttribute('data-value')), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = Number(await progress.getAttribute('data-value'));
    const clock = await deskPage.get('replay-clock').textContent();
    await expect.poll(async () => Number(await progress.getAttribute('data-value')), { timeout: 10_000 }).toBeGreaterThan(first);
    await expect(deskPage.get('replay-clock')).not.toHaveText(clock ?? '');
    await expect(deskPage.get('replay-state')).toHaveText('playing');
    await shot('replay-playing-100x');
  });

  await test.step('at max speed to the end: the result with its hash, the strategy traded', async () => {
    await deskPage.get('replay-speed').getByText('max').click();
    await expect(deskPage.get('replay-result')).toBeVisible({ timeout: 40_000 });
    await expect(deskPage.get('replay-state')).toHaveText('done');
    await expect(deskPage.get('replay-progress')).toHaveAttribute('data-value', '100');
    await expect(deskPage.get('replay-hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(deskPage.get('replay-result-trades')).toContainText(/Trades\s*[1-9]/);
    await expect(deskPage.get('replay-outcome-e2e-replay-strangle')).toBeVisible();
    await expect(deskPage.get('replay-result-drawdown')).toContainText('Max drawdown');
    await expect(deskPage.get('pnl-chart')).toBeVisible();
    await expect(deskPage.get('replay-feed').locator('[data-kind="fill"]').first()).toBeVisible();
    await deskPage.get('replay-save').click();
    await expect(deskPage.get('replay-saved')).toContainText('SPY chain');
    await shot('replay-result');
  });
});
