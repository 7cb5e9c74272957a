/**
 * Issue 16, Playwright: arm Trade on the simulated venue, place and cancel an order from the UI, the
 * kill switch at Reducing refuses an opening order with a clear message, and a position planted at
 * the venue (held outside the app) appears in the reconciliation panel and is adopted.
 */
import { test, expect } from './fixtures';

test('order path - Trade on the sim, place and cancel, Reducing refuses, a broker-only position adopted', async ({ desk, deskPage, page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await deskPage.open(desk.url);

  await test.step('Monitor by default: read-only, said on the header and the Orders page', async () => {
    await expect(deskPage.get('trading-mode')).toHaveAttribute('data-mode', 'monitor');
    await expect(deskPage.get('trading-mode')).toHaveText('MONITOR');
    await deskPage.start();
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'streaming');
    await deskPage.goTo('orders');
    await expect(deskPage.get('orders-mode')).toHaveAttribute('data-mode', 'monitor');
    await expect(deskPage.get('orders-monitor-note')).toContainText('read-only');
  });

  await test.step('arm Trade on the sim account with one switch', async () => {
    await deskPage.get('trading-mode').click();
    const row = deskPage.get('trading-row-default');
    await expect(row).toHaveAttribute('data-mode', 'monitor');
    await deskPage.get('mode-switch-default').getByText('Trade', { exact: true }).click();
    await expect(row).toHaveAttribute('data-mode', 'trade');
    await page.keyboard.press('Escape');
    await expect(deskPage.get('trading-mode')).toHaveAttribute('data-mode', 'trade');
    await expect(deskPage.get('trading-mode')).toHaveText('TRADE');
    await expect(deskPage.get('orders-mode')).toHaveAttribute('data-mode', 'trade');
  });

  let clientOrderId = '';
  await test.step('place a limit order far from the market: the confirmation names the account and mode; it rests open', async () => {
    await deskPage.get('place-symbol').fill('SPY');
    await deskPage.get('place-qty').fill('1');
    await deskPage.get('place-limit').fill('1.00');
    await deskPage.get('place-review').click();
    await expect(deskPage.get('confirm-place-where')).toContainText('account default (SIM, Trade mode)');
    await deskPage.get('confirm-place-confirm').click();
    await expect(deskPage.get('place-outcome')).toHaveAttribute('data-kind', 'accepted');
    const row = deskPage.get('open-orders').locator('[data-testid^="order-row-"]').first();
    await expect(row).toHaveAttribute('data-status', 'accepted');
    clientOrderId = ((await row.getAttribute('data-testid')) ?? '').replace('order-row-', '');
    expect(clientOrderId).toMatch(/^ld-default-/);
    await shot('orders-open');
  });

  await test.step('cancel it from the UI: gone from the open orders, cancelled in the history with its events', async () => {
    await deskPage.get(`order-row-${clientOrderId}`).getByTestId('order-cancel').click();
    await expect(deskPage.get('confirm-cancel-where')).toContainText('account default (SIM, Trade mode)');
    await deskPage.get('confirm-cancel-confirm').click();
    await expect(deskPage.get('open-orders').getByTestId(`order-row-${clientOrderId}`)).toHaveCount(0);
    const past = deskPage.get('past-orders').getByTestId(`order-row-${clientOrderId}`);
    await expect(past).toHaveAttribute('data-status', 'cancelled');
    await past.getByTestId('order-history').click();
    const rows = deskPage.get('order-history-rows');
    await expect(rows.locator('tr[data-kind="created"]')).toHaveCount(1);
    await expect(rows.locator('tr[data-kind="sent"]')).toHaveCount(1);
    await page.keyboard.press('Escape');
  });

  await test.step('a stop limit (issue 17): stop price field only for it, a chosen role; it rests untriggered and shows stop / lmt and its role; cancelled', async () => {
    await expect(deskPage.get('place-stop')).toHaveCount(0);
    await deskPage.get('place-type').getByText('Stop limit', { exact: true }).click();
    await deskPage.get('place-stop').fill('9000.00');
    await deskPage.get('place-limit').fill('9000.50');
    await deskPage.get('place-role').getByText('Entry', { exact: true }).click();
    await deskPage.get('place-review').click();
    await expect(deskPage.get('confirm-place')).toContainText('stop 9000.00 / lmt 9000.50');
    await deskPage.get('confirm-place-confirm').click();
    await expect(deskPage.get('place-outcome')).toHaveAttribute('data-kind', 'accepted');
    const row = deskPage.get('open-orders').locator('[data-testid^="order-row-"]').first();
    await expect(row).toHaveAttribute('data-status', 'accepted');
    await expect(row.getByTestId('order-price')).toHaveText('stop 9000.00 / lmt 9000.50');
    await expect(row.getByTestId('order-role')).toHaveText('Entry');
    await shot('orders-stop-limit');
    await row.getByTestId('order-cancel').click();
    await deskPage.get('confirm-cancel-confirm').click();
    await expect(deskPage.get('open-orders').locator('[data-testid^="order-row-"]')).toHaveCount(0);
    // back to the limit order the next step places
    await deskPage.get('place-type').getByText('Limit', { exact: true }).click();
    await deskPage.get('place-role').getByText('Auto', { exact: true }).click();
    await deskPage.get('place-limit').fill('1.00');
    await expect(deskPage.get('place-stop')).toHaveCount(0);
  });

  await test.step('kill switch Reducing: an opening order is refused with a clear message, nothing sent', async () => {
    await deskPage.get('killswitch-badge').click();
    await deskPage.get('kill-switch-default').getByText('Reducing', { exact: true }).click();
    await deskPage.get('kill-reason').fill('e2e: only reduce');
    await deskPage.get('kill-apply').click();
    await expect(deskPage.get('trading-row-default')).toHaveAttribute('data-kill', 'reducing');
    await page.keyboard.press('Escape');
    await expect(deskPage.get('killswitch-badge')).toHaveAttribute('data-level', 'reducing');
    await deskPage.get('place-review').click();
    await deskPage.get('confirm-place-confirm').click();
    const outcome = deskPage.get('place-outcome');
    await expect(outcome).toHaveAttribute('data-kind', 'refused');
    await expect(outcome).toContainText('kill switch Reducing on account default');
    await expect(outcome).toContainText('does not reduce exposure');
    await expect(deskPage.get('open-orders').locator('[data-testid^="order-row-"]')).toHaveCount(0);
    await shot('orders-reducing-refused');
  });

  await test.step('a position held at the venue outside the app shows as broker-only and is adopted', async () => {
    await desk.plant({ symbol: 'IWM', qty: 7, avg_price: '221.50' });
    await deskPage.get('recon-run').click();
    const line = deskPage.get('recon-line-position:IWM');
    await expect(line).toHaveAttribute('data-kind', 'broker_only');
    await expect(deskPage.get('reconciliation')).toHaveAttribute('data-status', 'diff');
    await expect(deskPage.get('automation-default').or(deskPage.get('recon-summary'))).toBeVisible();
    await shot('orders-recon-diff');
    await line.getByTestId('recon-adopt').click();
    await expect(deskPage.get('reconciliation')).toHaveAttribute('data-status', 'clean');
    await expect(deskPage.get('recon-line-position:IWM')).toHaveAttribute('data-kind', 'matched');
    // Our ledger now holds it: the exit panel lists it for the account.
    await expect(deskPage.get('exit-position-IWM')).toBeVisible();
    await shot('orders-recon-adopted');
  });
});
