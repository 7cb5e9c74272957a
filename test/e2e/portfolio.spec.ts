import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { test, expect, PAGES, type DeskPage } from './fixtures';

/** Waits until a cell's text differs from what it was (the row visibly ticks). */
async function expectTicks(deskPage: DeskPage, symbol: string, timeout = 15_000): Promise<void> {
  const bid = deskPage.row(symbol).getByTestId('bid');
  const first = await bid.textContent();
  await expect.poll(async () => bid.textContent(), { timeout }).not.toBe(first);
}

test('live portfolio flow - start, ticks, legs, charts, bad file, stall and recovery, stop', async ({ desk, deskPage, page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await deskPage.open(desk.url);

  await test.step('before Start: the sample portfolio, nothing streaming', async () => {
    await expect(deskPage.get('mode-badge')).toHaveText('SIM');
    await expect(deskPage.get('disclaimer')).toContainText('Informational only, not financial advice');
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'stopped');
    await expect(deskPage.get('not-streaming')).toContainText('nothing touches the network');
    await expect(deskPage.row('SPY')).toBeVisible();
    // No quote yet: unknown, never 0.
    await expect(deskPage.row('SPY').getByTestId('pnl')).toHaveAttribute('data-tone', 'unknown');
    await expect(deskPage.get('stale-banner')).toHaveCount(0);
  });

  await test.step('settings: P&L sampled every second (refresh cadence), persisted through settings.set', async () => {
    await deskPage.goTo('settings');
    await deskPage.get('settings-refresh').fill('1');
    await deskPage.get('settings-save').click();
    await expect(deskPage.get('settings-saved')).toBeVisible();
    await deskPage.goTo('portfolio');
  });

  await test.step('Start → rows tick with fresh ages and known P&L', async () => {
    await deskPage.start();
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'streaming');
    await expectTicks(deskPage, 'SPY');
    await expect(deskPage.row('SPY').getByTestId('age')).toHaveAttribute('data-age-level', 'fresh');
    await expect(deskPage.row('SPY').getByTestId('pnl')).not.toHaveAttribute('data-tone', 'unknown');
    await expect(deskPage.stream('stocks')).toHaveAttribute('data-state', 'running');
    await expect(deskPage.get('totals-USD').getByTestId('total')).not.toContainText('unknown', { timeout: 15_000 });
    // The tab says the mode and the total without looking at the page; it has an icon.
    await expect(page).toHaveTitle(/^SIM · [+−]?[\d,]+\.\d\d · Live Desk$/);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const res = await page.request.get(new URL(icon!, page.url()).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/svg+xml');
  });

  await test.step('delta: options show a model delta (Black-Scholes, IV from the sim’s option mid), shares 1', async () => {
    // The sim prices options with Black-Scholes at r 4% (the desk's default rate): the IV solves.
    const call = deskPage.row('AAPL261218C00240000').getByTestId('delta');
    await expect(call).toHaveText(/^0\.\d\d$/, { timeout: 15_000 });
    await expect(call).toHaveAttribute('title', /^model delta: Black-Scholes, IV \d+\.\d% from the option mid, underlying mid [\d,.]+, r 4\.00%/);
    // QQQ is held only through options: its quote is subscribed for the delta.
    const put = deskPage.row('QQQ261218P00480000').getByTestId('delta');
    await expect(put).toHaveText(/^-0\.\d\d$/, { timeout: 15_000 });
    await expect(put).toHaveAttribute('title', /position delta \+[\d,.]+ \(share-equivalent\)/); // short put: long exposure
    await expect(deskPage.row('SPY').getByTestId('delta')).toHaveText('1.00');
    await expect(deskPage.row('SPY').getByTestId('delta')).toHaveAttribute('title', /^delta 1 per share\nposition delta \+100\.0/);
  });

  await test.step('grouped by structure: legs under their structure (a net_debit-only straddle too), fold / unfold, flat remembered', async () => {
    const ic = deskPage.structure('spy-dec-ic');
    await expect(deskPage.get('positions-table')).toHaveAttribute('data-layout', 'grouped');
    await expect(ic.getByTestId('net-pnl')).not.toContainText('unknown', { timeout: 15_000 });
    await expect(ic.getByTestId('pnl-points')).toHaveText(/^[+-]?\d+\.\d{2,4}$/);
    await expect(ic.getByTestId('structure-legs')).toHaveText('4 legs');
    const icLegs = page.locator('[data-testid^="position-row-"][data-structure="spy-dec-ic"]');
    await expect(icLegs).toHaveCount(4);
    await expect(deskPage.row('SPY261218P00550000')).toHaveAttribute('data-structure', 'spy-dec-ic');
    // Points next to the currency P&L on a leg.
    await expect(deskPage.row('SPY261218P00550000').getByTestId('pnl-points')).toHaveText(/^[+-]?\d+\.\d{2,4}$/);
    // The straddle is defined only by net_debit: its legs show (quotes, marks), their P&L is in the net.
    await expect(page.locator('[data-testid^="leg-row-"][data-structure="aapl-dec-straddle"]')).toHaveCount(2);
    await expect(deskPage.get('leg-row-AAPL261218C00230000').getByTestId('mark')).toHaveText(/\d/, { timeout: 15_000 });
    await ic.getByTestId('structure-toggle').click();
    await expect(icLegs).toHaveCount(0);
    await ic.getByTestId('structure-toggle').click();
    await expect(icLegs).toHaveCount(4);
    // Flat: no structure rows; the choice survives a reload.
    await deskPage.get('positions-layout').getByText('Flat').click();
    await expect(deskPage.get('positions-table')).toHaveAttribute('data-layout', 'flat');
    await expect(page.locator('[data-testid^="structure-row-"][role="row"]')).toHaveCount(0);
    await page.reload();
    await expect(deskPage.get('app')).toHaveAttribute('data-ready', 'true');
    await expect(deskPage.get('positions-table')).toHaveAttribute('data-layout', 'flat');
    await deskPage.get('positions-layout').getByText('By structure').click();
    await expect(deskPage.get('positions-table')).toHaveAttribute('data-layout', 'grouped');
  });

  await test.step('the totals include every structure: the net-debit-only straddle is in Total (issue 12 item 1)', async () => {
    await expect(deskPage.get('totals-USD').getByTestId('open-structures')).toContainText('+ 1 structure');
    // Read the Total, every position row's P&L and the straddle's net P&L in one go (one render):
    // Total = Σ rows + the straddle (realized is 0 before any fill), to the displayed cents.
    const money = (t: string | null) => Number((t ?? '').replace(/[−–]/g, '-').replace(/[+,\s]/g, ''));
    await expect
      .poll(
        async () => {
          const read = await page.evaluate(() => ({
            total: document.querySelector('[data-testid="totals-USD"] [data-testid="total"] .figure-value')?.textContent ?? null,
            rows: [...document.querySelectorAll('[data-testid^="position-row-"] [data-testid="pnl"]')].map((e) => e.textContent),
            straddle: document.querySelector('[data-testid="structure-row-aapl-dec-straddle"] [data-testid="net-pnl"]')?.textContent ?? null,
            // grouped by structure, the table also has structure and leg rows: count positions only
            rowCount: document.querySelector('[data-testid="positions-count"]')?.getAttribute('data-count') ?? null,
          }));
          if (read.total === null || read.straddle === null || /unknown/.test(read.total + read.straddle + read.rows.join())) return 'unknown yet';
          expect(read.rows.length).toBe(Number(read.rowCount)); // every position row is in the DOM (10 of them)
          const sum = read.rows.reduce((a, r) => a + money(r), 0) + money(read.straddle);
          return Math.abs(money(read.total) - sum) <= 0.01 * (read.rows.length + 1) ? 'total includes the straddle' : `total ${read.total} vs Σ ${sum.toFixed(2)}`;
        },
        { timeout: 20_000 },
      )
      .toBe('total includes the straddle');
  });

  await test.step('the charts render with data', async () => {
    await showPayoff(deskPage);
    // At least three known samples: a line with a peak and a trough.
    await expect.poll(async () => Number(await deskPage.get('pnl-chart-panel').getAttribute('data-known')), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await expect(deskPage.get('pnl-chart').locator('canvas')).toHaveCount(1);
    await expect(deskPage.get('pnl-peak')).toContainText(' at ');
  });
  await shot('portfolio-streaming');

  await test.step('trades on the account show in the fills table, newest first, and in the positions', async () => {
    await desk.order({ symbol: 'SPY', qty: 3, side: 'buy', type: 'market', time_in_force: 'day' });
    const fills = page.locator('[data-testid="fill-row"][data-kind="fill"]');
    await expect(fills).toHaveCount(1, { timeout: 15_000 });
    await desk.order({ symbol: 'AAPL', qty: 2, side: 'sell', type: 'market', time_in_force: 'day' });
    await expect(fills).toHaveCount(2, { timeout: 15_000 });
    await expect(fills.first()).toContainText('AAPL');
    await expect(fills.nth(1)).toContainText('SPY');
    await expect(page.locator('[data-testid="fill-row"][data-kind="order"]').first()).toContainText('filled');
  });

  await test.step('a bad portfolio file: a clear error with its JSON path, the old positions stay', async () => {
    const before = await deskPage.get('positions-count').textContent();
    const bad = join(desk.dir, 'bad-portfolio.json');
    writeFileSync(
      bad,
      JSON.stringify({ version: 1, positions: [{ id: 'x', type: 'option', underlying: 'SPY', expiry: '2026-12-18', strike: 'abc', right: 'call', side: 'long', contracts: '1', cost_basis: '1', opened_at: '2026-11-02T14:35:00Z' }] }),
    );
    await deskPage.get('portfolio-path').fill(bad);
    await deskPage.get('portfolio-load').click();
    await expect(deskPage.get('portfolio-error')).toBeVisible();
    await expect(deskPage.get('portfolio-error-item').first()).toContainText('$.positions[0].strike');
    await expect(deskPage.get('portfolio-kept')).toContainText('stays in force');
    await expect(deskPage.get('portfolio-error-item')).toHaveCount(1);
    await expect(deskPage.get('positions-count')).toHaveText(before!);
    await expect(deskPage.row('SPY')).toBeVisible();
    await shot('portfolio-bad-file');
    // Dismissed, it stays dismissed until the next failure.
    await deskPage.get('portfolio-error').getByRole('button', { name: 'Dismiss' }).click();
    await expect(deskPage.get('portfolio-error')).toHaveCount(0);
  });

  await test.step('settings: a 2 s stale threshold, persisted through settings.set', async () => {
    await deskPage.goTo('settings');
    await deskPage.get('settings-stale').fill('2');
    await deskPage.get('settings-save').click();
    await expect(deskPage.get('settings-saved')).toBeVisible();
    await deskPage.goTo('portfolio');
    // The dismissed portfolio error stays dismissed across page switches.
    await expect(deskPage.get('portfolio-error')).toHaveCount(0);
  });

  await test.step('a stalled feed with REST down too: banner, header, stream health, structure age and As of tell one story; then recovery', async () => {
    await expectTicks(deskPage, 'SPY');
    const topBefore = (await deskPage.get('totals-bar').boundingBox())!.y;
    // Stream stalled AND the REST fallback failing: nothing can price SPY, so it goes stale.
    await desk.fault({ kind: 'fail_data_rest' });
    await desk.fault({ kind: 'stall' });
    const banner = deskPage.get('stale-banner');
    await expect(banner).toBeVisible({ timeout: 10_000 });
    // The banner takes the reserved slot: the page does not move down.
    expect((await deskPage.get('totals-bar').boundingBox())!.y).toBe(topBefore);
    await expect(deskPage.get('stale-symbols')).toContainText('SPY');
    // The banner names every quote the totals depend on — the net-debit straddle's legs included.
    await expect(banner).toHaveAttribute('data-symbols', /AAPL261218C00230000/);
    await expect(banner).toHaveAttribute('data-symbols', /AAPL261218P00230000/);
    await expect(deskPage.row('SPY').getByTestId('age')).toHaveAttribute('data-age-level', 'stale');
    const stocks = deskPage.stream('stocks');
    // item 6: the stream panel says the silent stream is stale (not "running") until it reconnects
    await expect(stocks.getByTestId('stream-state')).toHaveAttribute('data-state', /stale|reconnecting|connecting/);
    // item 6: the header never says "feeds running" under the red banner…
    await expect(deskPage.get('feeds-state')).not.toContainText('running');
    await expect(deskPage.get('feeds-state')).not.toHaveAttribute('data-state', 'running');
    // …a structure's age names its stale legs and the oldest age (not "no quote")…
    await expect(deskPage.structure('spy-dec-ic').getByTestId('structure-age')).toHaveAttribute('title', /^stale \(\d legs?, oldest [\d.]+s\)$/);
    await expect(deskPage.structure('spy-dec-ic').getByTestId('structure-age')).toHaveText(/^stale \(\d\u00a0legs?\)$/);
    await expectNotClipped(deskPage.structure('spy-dec-ic').getByTestId('structure-age'));
    // …and "As of" keeps the time prices were last good.
    await expect(deskPage.get('as-of')).toContainText('prices last good at');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('portfolio-stale');
    // The silence is detected at the data timeout and the stream reconnects. With full-jitter
    // backoff the first reconnect may take only milliseconds — too short to be sure of catching
    // "reconnecting" on screen (the renderer's unit tests cover how that state is drawn) — so the
    // lasting evidence is the stream's last error; "reconnecting" is checked whenever it is seen.
    let sawReconnecting = false;
    await expect
      .poll(
        async () => {
          if (!sawReconnecting && (await stocks.getAttribute('data-state')) === 'reconnecting') {
            sawReconnecting = true;
            await shot('portfolio-reconnecting');
          }
          return (await stocks.textContent()) ?? '';
        },
        { timeout: 20_000, intervals: [50] },
      )
      .toMatch(/error.*: no data for \d+ ms \(data timeout \d+ ms\)/);
    test.info().annotations.push({ type: 'stall', description: sawReconnecting ? 'reconnecting state seen on screen' : 'reconnected before the screen showed it' });
    await desk.fault({ kind: 'resume' });
    await expect(stocks).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
    await expect(banner).toHaveCount(0, { timeout: 15_000 });
    await expectTicks(deskPage, 'SPY');
    // item 6: the recovered stream's old error is shown as past, with when it happened
    await expect(stocks.getByTestId('last-error')).toHaveAttribute('data-past', 'true');
    await expect(stocks.getByTestId('last-error')).toContainText(/^earlier error \(\d\d:\d\d:\d\d, before the reconnect at \d\d:\d\d:\d\d\): no data for/);
    await expect(stocks.getByTestId('reconnects')).not.toHaveText('0');
    await expect(deskPage.get('feeds-state')).toHaveAttribute('data-state', 'running');
  });

  await test.step('a stalled feed with REST up: the tracker prices from REST (shown as such), P&L stays known', async () => {
    await desk.fault({ kind: 'stall', stream: 'stocks' });
    await expect(deskPage.row('SPY').getByTestId('quote-source')).toHaveText('via REST', { timeout: 5_000 });
    await expect(deskPage.row('SPY').getByTestId('pnl')).not.toHaveAttribute('data-tone', 'unknown');
    await expect(deskPage.get('stale-banner')).toHaveCount(0);
    await shot('portfolio-rest-fallback');
    await expect(deskPage.stream('stocks')).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  });

  await test.step('Stop → streams stop and nothing updates', async () => {
    await deskPage.stop();
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'stopped');
    await expect(deskPage.stream('stocks')).not.toHaveAttribute('data-state', 'running');
    const bid = deskPage.row('SPY').getByTestId('bid');
    const frozen = await bid.textContent();
    // Ages keep counting and turn stale (2 s threshold); prices stay put meanwhile.
    await expect(deskPage.row('SPY').getByTestId('age')).toHaveAttribute('data-age-level', 'stale', { timeout: 10_000 });
    expect(await bid.textContent()).toBe(frozen);
    await expect(deskPage.get('not-streaming')).toContainText('frozen');
    // Totals unknown now: the title says so.
    await expect(page).toHaveTitle('SIM · STALE · Live Desk');
    // item 6: stopping keeps the last known health — the last event and the last error with its time
    await expect(deskPage.stream('stocks').getByTestId('last-event')).toBeVisible();
    // — as history: the stream says "stopped" (not "not started") and its error is a grey past one
    await expect(deskPage.stream('stocks').getByTestId('stream-state')).toHaveText(/stopped/);
    await expect(deskPage.stream('stocks').getByTestId('last-error')).toContainText(/^earlier error \d\d:\d\d:\d\d \(before the stop\): no data for/);
    await expect(deskPage.stream('stocks').getByTestId('last-error')).toHaveAttribute('data-past', 'true');
    await expect(deskPage.stream('stocks').getByTestId('reconnects')).not.toHaveText('0');
    await shot('portfolio-stopped');
  });
});

test('over the option-contract limit, and an expired session', async ({ desk, deskPage, page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await deskPage.open(desk.url);

  await test.step('limit 3 in Settings, then Start: left-out contracts say "not subscribed: over the limit of 3", with the planner warning', async () => {
    await deskPage.goTo('settings');
    await deskPage.get('settings-max-contracts').fill('3');
    await deskPage.get('settings-save').click();
    await expect(deskPage.get('settings-saved')).toBeVisible();
    await deskPage.goTo('portfolio');
    await deskPage.start();
    await expect(deskPage.get('plan-warning')).toContainText('over the limit of 3', { timeout: 15_000 });
    await expect(deskPage.get('plan-warning-text')).toContainText('option subscription limit 3 reached');
    await expect(deskPage.get('plan-warning-positions')).toContainText('not subscribed');
    const chips = page.getByTestId('not-subscribed');
    await expect(chips.first()).toHaveText('not subscribed: over the limit of 3');
    const left = page.locator('[data-testid^="position-row-"]').filter({ has: page.getByTestId('not-subscribed') });
    expect(await left.count()).toBeGreaterThan(0);
    const symbol = (await left.first().getAttribute('data-symbol'))!;
    await expect(left.first().getByTestId('age')).toHaveAttribute('data-age-level', 'not_subscribed');
    await expect(left.first().getByTestId('age')).toHaveAttribute('title', 'not subscribed: over the limit of 3');
    // A structure whose legs were left out says so (the first 3 contracts, in order, are AAPL's), not red "missing leg".
    const ic = deskPage.structure('spy-dec-ic');
    await expect(ic.getByTestId('structure-age')).toHaveAttribute('title', 'not subscribed: over the limit of 3 (4 legs)');
    await expect(ic.getByTestId('structure-age')).toHaveText('not subscribed (4\u00a0legs)');
    await expectNotClipped(ic.getByTestId('structure-age'));
    await expectNotClipped(chips.first());
    await expect(ic.locator('[data-code="missing_leg"]')).toHaveCount(0);
    // Streamed rows tick as usual.
    await expectTicks(deskPage, 'SPY');
    // A missing quote counts as stale once streaming has run longer than the threshold (5 s): past
    // it, a left-out contract is still "not subscribed", never red "stale, no quote" in the banner.
    await page.waitForTimeout(6000);
    await expect(left.first().getByTestId('age')).toHaveAttribute('data-age-level', 'not_subscribed');
    const banner = deskPage.get('stale-symbols');
    if ((await banner.count()) > 0) await expect(banner).not.toContainText(symbol);
    // The planner's warning is readable in full at both sizes: not clipped, not under another panel.
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await expect(deskPage.get('plan-warning-text')).toBeVisible();
      await expectOnTop(deskPage.get('plan-warning-text'));
      await expectOnTop(deskPage.get('plan-warning-positions'));
      await shot(`portfolio-over-limit-${w}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await test.step('lowering the limit while streaming: the left-out legs say "not subscribed", never a red growing age or "stale"', async () => {
    // Under the limit of 3 the AAPL straddle's put is streamed (it has a quote); under 2 it is left
    // out (the planner keeps contracts in order): its cached quote must not age red.
    const put = page.getByTestId('leg-row-AAPL261218P00230000');
    await expect(put.getByTestId('age')).toHaveAttribute('data-age-level', /^(fresh|aging)$/);
    await deskPage.goTo('settings');
    await deskPage.get('settings-max-contracts').fill('2');
    await deskPage.get('settings-save').click();
    await expect(deskPage.get('settings-saved')).toBeVisible();
    await deskPage.goTo('portfolio');
    await expect(deskPage.get('plan-warning')).toContainText('over the limit of 2', { timeout: 15_000 });
    // the third contract was streamed under the limit of 3 and is now left out: its old quote must not age red
    await expect(put.getByTestId('age')).toHaveAttribute('data-age-level', 'not_subscribed');
    await expect(deskPage.structure('aapl-dec-straddle').getByTestId('structure-age')).toHaveAttribute('data-age-level', 'not_subscribed');
    await page.waitForTimeout(6000);
    await expect(put.getByTestId('age')).toHaveAttribute('data-age-level', 'not_subscribed');
    await expect(put.locator('[data-code="stale_quote"]')).toHaveCount(0);
    await expect(put.getByTestId('not-subscribed')).toHaveText('not subscribed: over the limit of 2');
    const leftOut = page.locator('[data-testid^="position-row-"]').filter({ has: page.getByTestId('not-subscribed') });
    const n = await leftOut.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      await expect(leftOut.nth(i).getByTestId('age')).toHaveAttribute('data-age-level', 'not_subscribed');
      await expect(leftOut.nth(i).getByTestId('not-subscribed')).toHaveText('not subscribed: over the limit of 2');
      await expect(leftOut.nth(i).locator('[data-code="stale_quote"]')).toHaveCount(0);
    }
    const banner = deskPage.get('stale-banner');
    if ((await banner.count()) > 0) {
      const listed = ((await banner.getAttribute('data-symbols')) ?? '').split(' ');
      for (let i = 0; i < n; i++) expect(listed).not.toContain(await leftOut.nth(i).getAttribute('data-symbol'));
    }
    for (const row of await page.locator('[data-testid^="structure-row-"]').all()) {
      await expect(row.getByTestId('structure-age')).not.toHaveAttribute('data-age-level', 'stale');
      await expect(row.locator('[data-code="stale_quote"]')).toHaveCount(0);
    }
    await shot('portfolio-limit-lowered');
  });

  await test.step('session expired: the banner says so and offers Re-authenticate, which recovers the streams', async () => {
    await desk.fault({ kind: 'expire_session' });
    const banner = deskPage.get('session-banner');
    await expect(banner).toContainText('Session expired', { timeout: 15_000 });
    // not a green "streaming" under an expired session; the key icon is an SVG (U+26BF rendered as a box)
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-session', 'expired');
    await expect(deskPage.get('streaming-state')).toContainText('session expired');
    await expect(deskPage.get('streaming-state').locator('svg[data-testid="icon-key"]')).toHaveCount(1);
    await expect(deskPage.stream('stocks').getByTestId('stream-state')).toContainText('session expired');
    // The banner is whole and on top at both sizes (review #2): title, what refused it, and a
    // Re-authenticate button that is the element under its own centre (not the panel below).
    await expect(banner).toContainText('Refused by:');
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await expect(deskPage.get('reauthenticate')).toBeVisible();
      await expectOnTop(deskPage.get('reauthenticate'));
      await expectOnTop(banner.getByText('Refused by:'));
      await shot(`portfolio-session-expired-${w}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await desk.fault({ kind: 'renew_session' });
    // a real click (no force): Playwright refuses it if another element would receive it
    await deskPage.get('reauthenticate').click();
    await expect(banner).toHaveCount(0, { timeout: 15_000 });
    await expect(deskPage.stream('stocks')).toHaveAttribute('data-state', 'running', { timeout: 15_000 });
    await expect(deskPage.get('streaming-state')).toHaveAttribute('data-session', 'ok');
    await expectTicks(deskPage, 'SPY');
  });
});

const SIZES: readonly (readonly [number, number])[] = [
  [1280, 800],
  [1920, 1080],
];

/**
 * The element is shown whole: at its centre and at each corner (3 px in) the page shows the
 * element itself — not clipped away by a fixed-height box, not under another panel or the header.
 */
async function expectOnTop(el: Locator): Promise<void> {
  await el.scrollIntoViewIfNeeded();
  const covered = await el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    if (r.width <= 6 || r.height <= 6) return ['has no size'];
    const points: [string, number, number][] = [
      ['centre', r.x + r.width / 2, r.y + r.height / 2],
      ['top left', r.left + 3, r.top + 3],
      ['top right', r.right - 3, r.top + 3],
      ['bottom left', r.left + 3, r.bottom - 3],
      ['bottom right', r.right - 3, r.bottom - 3],
    ];
    return points
      .filter(([, x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit === null || !(node === hit || node.contains(hit));
      })
      .map(([where, x, y]) => `${where}: ${document.elementFromPoint(x, y)?.outerHTML.slice(0, 80) ?? 'outside the window'}`);
  });
  expect(covered, 'points of the element covered by something else').toEqual([]);
}

/** The element's text is not cut off by its own box or by its table cell. */
async function expectNotClipped(el: Locator): Promise<void> {
  const clipped = await el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    const cell = node.closest('.vt-cell')?.getBoundingClientRect() ?? r;
    return node.scrollWidth > node.clientWidth + 1 || r.right > cell.right + 1 || r.bottom > cell.bottom + 1;
  });
  expect(clipped, 'the text is cut off').toBe(false);
}

async function showPayoff(deskPage: DeskPage): Promise<void> {
  await deskPage.structure('spy-dec-ic').getByTestId('structure-payoff').click();
  await expect(deskPage.get('payoff-panel')).toContainText('iron condor');
  await expect.poll(async () => Number(await deskPage.get('payoff-chart').getAttribute('data-points'))).toBeGreaterThan(10);
  await expect(deskPage.get('payoff-breakevens')).toContainText(/\d/);
  await expect(deskPage.get('payoff-live')).toContainText(/\d/, { timeout: 15_000 });
}

test('pages - events drill-down, settings validation, screenshots at two sizes in both themes', async ({ desk, deskPage, page }, testInfo) => {
  await deskPage.open(desk.url);
  await deskPage.goTo('settings');
  await deskPage.get('settings-refresh').fill('1');
  await deskPage.get('settings-save').click();
  await expect(deskPage.get('settings-saved')).toBeVisible();
  await deskPage.goTo('portfolio');
  await deskPage.start();
  await expectTicks(deskPage, 'SPY');
  await showPayoff(deskPage);

  await test.step('events: flows drill down by execution id; filters by type', async () => {
    await deskPage.goTo('events');
    const flows = page.locator('[data-testid="event-row"][data-depth="0"]');
    await expect(flows.first()).toBeVisible();
    // The newest flow is open by default; an older one opens with ▸.
    const flowsWithChildren = page.locator('[data-testid="event-row"][data-depth="0"]:has([data-testid="event-children-count"])');
    await expect(flowsWithChildren.first().locator('[data-testid="event-row"][data-depth="1"]').first()).toBeVisible();
    const withChildren = flowsWithChildren.nth(1);
    await expect(withChildren.getByTestId('event-toggle').first()).toHaveAttribute('aria-expanded', 'false');
    await withChildren.getByTestId('event-toggle').first().click();
    await expect(withChildren.locator('[data-testid="event-row"][data-depth="1"]').first()).toBeVisible();
    await withChildren.getByTestId('event-title').first().click();
    await expect(withChildren.getByTestId('event-details').first()).toContainText('execution_id');
    // Filter: steps off → no step rows.
    await deskPage.get('event-filter-node_event').click();
    await expect(page.locator('[data-testid="event-row"][data-type="node_event"]')).toHaveCount(0);
    await deskPage.get('event-filter-node_event').click();
    await expect(page.locator('[data-testid="event-row"][data-type="node_event"]').first()).toBeVisible();
  });

  await test.step('settings: invalid values are refused before sending, naming the field', async () => {
    await deskPage.goTo('settings');
    await deskPage.get('settings-stale').fill('0.1');
    await expect(page.getByText('Stale threshold must be at least 0.5 s (allowed: from 0.5 s to 600 s)')).toBeVisible();
    await expect(page.getByText(/Too small|>=|Invalid input/)).toHaveCount(0);
    await expect(deskPage.get('settings-save')).toBeDisabled();
    // Typed numbers are read as written or refused, never silently changed.
    await deskPage.get('settings-stale').fill('5');
    await deskPage.get('settings-max-contracts').fill('2.5');
    await expect(deskPage.get('settings-max-contracts')).toHaveValue('2.5');
    await expect(page.getByText('Max option contracts must be a whole number', { exact: false })).toBeVisible();
    await deskPage.get('settings-max-contracts').fill('1e9');
    await expect(deskPage.get('settings-max-contracts')).toHaveValue('1e9');
    await expect(page.getByText('Max option contracts must be a plain number', { exact: false })).toBeVisible();
    await expect(deskPage.get('settings-save')).toBeDisabled();
    await deskPage.get('settings-reset').click();
    await expect(deskPage.get('settings-save')).toBeDisabled();
    // A portfolio path that names no file is refused here, next to the field; nothing is saved.
    await deskPage.get('settings-portfolio-path').fill('/no/such/portfolio.json');
    await deskPage.get('settings-save').click();
    await expect(page.getByText('no file at /no/such/portfolio.json — check the path')).toBeVisible();
    await expect(deskPage.get('settings-saved')).toHaveCount(0);
    await deskPage.get('settings-reset').click();
    // Quote recording (issue 15, item 7): a plain label, off by default; turning it on is one change.
    const record = page.getByRole('switch', { name: 'Record quotes for replay' });
    await expect(record).not.toBeChecked();
    await record.click({ force: true });
    await expect(record).toBeChecked();
    await expect(deskPage.get('settings-save')).toHaveText(/1 change/);
    await deskPage.get('settings-reset').click();
    await expect(record).not.toBeChecked();
    await deskPage.goTo('portfolio');
  });

  // A few seconds of P&L samples so the chart in the screenshots has a line.
  await expect.poll(async () => Number(await deskPage.get('pnl-chart-panel').getAttribute('data-known')), { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    for (const scheme of ['dark', 'light'] as const) {
      await test.step(`screenshots ${w}×${h} ${scheme}`, async () => {
        await page.setViewportSize({ width: w, height: h });
        await deskPage.setTheme(scheme);
        for (const p of PAGES) {
          await deskPage.goTo(p);
          if (p === 'events') await page.locator('[data-testid="event-row"][data-depth="0"]').first().waitFor();
          if (p === 'replay') await deskPage.get('replay-day').waitFor(); // a lazily loaded page: its form, not "Loading…"
          // The header fits: the last page button ends before the connection badge, Restart is whole.
          const lastNav = await deskPage.get('nav-settings').boundingBox();
          const connection = await deskPage.get('connection').boundingBox();
          expect(lastNav!.x + lastNav!.width, `the page buttons overlap the feeds at ${w}px`).toBeLessThanOrEqual(connection!.x);
          if (p === 'portfolio') {
            await expect(deskPage.row('SPY').getByTestId('age')).toHaveAttribute('data-age-level', 'fresh');
            // Without scrolling: the totals and every structure's row; at 1920 also the payoff statistics.
            await expect(deskPage.get('totals-bar')).toBeInViewport({ ratio: 1 });
            for (const id of ['spy-dec-ic', 'qqq-dec-bull-call', 'aapl-dec-straddle']) await expect(deskPage.structure(id)).toBeInViewport({ ratio: 1 });
            if (w >= 1900) for (const stat of ['payoff-breakevens', 'payoff-live', 'payoff-max-profit', 'payoff-max-loss']) await expect(deskPage.get(stat)).toBeInViewport({ ratio: 1 });
          }
          await page.screenshot({ path: testInfo.outputPath(`${p}-${w}x${h}-${scheme}.png`) });
          if (p === 'portfolio' && w < 1900) {
            // Below the fold at 1280×800: stream health and the charts.
            await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
            await page.screenshot({ path: testInfo.outputPath(`${p}-${w}x${h}-${scheme}-lower.png`) });
            await page.evaluate(() => window.scrollTo(0, 0));
          }
        }
      });
    }
  }
});
