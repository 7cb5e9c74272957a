import { test, expect } from './fixtures';

test('after Start the quote table ticks with fresh ages; Stop freezes it', async ({ desk, deskPage, page }, testInfo) => {
  await deskPage.open(desk.url);
  await expect(page.getByTestId('mode-badge')).toHaveText('SIM');
  await expect(page.getByTestId('quotes-empty')).toBeVisible();

  await deskPage.start();
  await expect(page.getByTestId('streaming-state')).toHaveText('streaming');
  const spy = deskPage.quoteRow('SPY');
  await expect(spy).toBeVisible();
  expect(await deskPage.rows().count()).toBeGreaterThanOrEqual(9);

  // The bid must change on screen (not just render once): poll until it differs from the first.
  const firstBid = await spy.getByTestId('bid').textContent();
  await expect.poll(async () => spy.getByTestId('bid').textContent(), { timeout: 15_000 }).not.toBe(firstBid);
  await expect(spy.getByTestId('age')).toHaveAttribute('data-age-level', 'fresh');
  await page.screenshot({ path: testInfo.outputPath('quotes-streaming.png'), fullPage: true });

  await deskPage.stop();
  await expect(page.getByTestId('streaming-state')).toHaveText('stopped');
  const frozen = await spy.getByTestId('bid').textContent();
  // Once stopped, ages keep counting and go stale; prices stay put.
  await expect(spy.getByTestId('age')).toHaveAttribute('data-age-level', 'stale', { timeout: 15_000 });
  expect(await spy.getByTestId('bid').textContent()).toBe(frozen);
  await page.screenshot({ path: testInfo.outputPath('quotes-stopped.png'), fullPage: true });
});
