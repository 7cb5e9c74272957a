/**
 * Issue 19, Playwright: the desk started with venue sim-nse (the simulated NSE face, reached by the
 * real SmartAPI adapter) streams NIFTY; a short NIFTY straddle placed from the Orders page (1 lot
 * each) shows as option rows with a known P&L in INR; the session's daily end shows the banner and
 * one click signs in again.
 */
import { test, expect } from './fixtures';
import { NseSimModel } from '../../src/node/venues/sim/nse/model';

test.use({ deskEnv: { LIVE_DESK_VENUE: 'sim-nse' } });

test('sim-nse - NIFTY option rows with INR P&L', async ({ desk, deskPage, page }, testInfo) => {
  const model = new NseSimModel(0, Date.now());
  const nifty = model.instruments.filter((i) => i.name === 'NIFTY' && i.kind === 'option');
  const expiry = Math.min(...nifty.map((i) => i.expiresAt!));
  const leg = (right: 'call' | 'put') => nifty.find((i) => i.expiresAt === expiry && i.strike === 24_500 && i.right === right)!.symbol;
  const [ce, pe] = [leg('call'), leg('put')];
  await deskPage.open(desk.url);
  await deskPage.start();
  await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'streaming');

  await deskPage.get('trading-mode').click();
  await deskPage.get('mode-switch-default').getByText('Trade', { exact: true }).click();
  await expect(deskPage.get('trading-row-default')).toHaveAttribute('data-mode', 'trade');
  await page.keyboard.press('Escape');
  await deskPage.goTo('orders');
  for (const symbol of [ce, pe]) {
    await deskPage.get('place-symbol').fill(symbol);
    await deskPage.get('place-side').getByText('Sell', { exact: true }).click();
    await deskPage.get('place-qty').fill('1');
    await deskPage.get('place-type').getByText('Market', { exact: true }).click();
    await deskPage.get('place-review').click();
    await deskPage.get('confirm-place-confirm').click();
    await expect(deskPage.get('place-outcome')).toHaveAttribute('data-kind', 'accepted');
  }

  await deskPage.goTo('portfolio');
  // the SmartAPI channels are the account's health rows (not the Alpaca protocol's)
  await expect(deskPage.stream('feed-1')).toHaveAttribute('data-state', 'running');
  await expect(deskPage.stream('order_updates')).toHaveAttribute('data-state', 'running');
  for (const symbol of [ce, pe]) {
    await expect(deskPage.row(symbol)).toBeVisible({ timeout: 15_000 });
    await expect(deskPage.row(symbol).getByTestId('pnl')).not.toHaveAttribute('data-tone', 'unknown', { timeout: 15_000 });
  }
  await expect(deskPage.get('totals-INR')).toBeVisible();
  await expect(deskPage.get('totals-INR').getByTestId('total')).not.toContainText('unknown', { timeout: 15_000 });
  await page.screenshot({ path: testInfo.outputPath('nse-sim.png'), fullPage: true });

  // Angel's daily session end: session needed (nothing reconnects with the dead token), one click signs in again
  await desk.fault({ kind: 'expire_session' });
  await expect(deskPage.get('session-banner')).toBeVisible({ timeout: 15_000 });
  await expect(deskPage.stream('feed-1')).toHaveAttribute('data-state', 'session_needed');
  await page.screenshot({ path: testInfo.outputPath('nse-sim-session.png') });
  await deskPage.get('reauthenticate').click();
  await expect(deskPage.get('session-banner')).toHaveCount(0, { timeout: 15_000 });
  await expect(deskPage.stream('feed-1')).toHaveAttribute('data-state', 'running');
  await expect(deskPage.row(ce).getByTestId('pnl')).not.toHaveAttribute('data-tone', 'unknown', { timeout: 15_000 });
});
