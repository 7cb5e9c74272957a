/**
 * Issue 17, Playwright: the Monitor page on the headless desk — cycles ticking at a 5 s interval
 * (set through the page's settings form), a forced step-1 failure (the sim's per-step fault) shown
 * as a stopped cycle with step 1 failed and steps 2–9 skipped, and a session expiry →
 * session_needed → Re-authenticate → active again.
 *
 * Needs the monitor service (the lead's part of issue 17) and the sim's `step_fault` and per-key
 * `expire_session` / `renew_session` faults (another part): on the page-only branch the desk reports
 * no monitoring, so this spec stops at the first step ("a card for the default account").
 */
import type { Locator } from '@playwright/test';
import { test, expect } from './fixtures';

/** The simulated venue's key of the default account (src/node/venues/sim/server.ts SIM_CREDENTIALS). */
const KEY = 'SIMKEY';

/** The id of the newest cycle row of a card ('' when none). */
async function newestCycle(card: Locator): Promise<string> {
  const row = card.locator('[data-testid^="monitor-cycle-"][data-status]').first();
  if ((await row.count()) === 0) return '';
  return ((await row.getAttribute('data-testid')) ?? '').replace('monitor-cycle-', '');
}

test('monitoring cycle - cycles tick, a forced step failure, session expiry and re-authentication', async ({ desk, deskPage, page }, testInfo) => {
  test.setTimeout(150_000);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await deskPage.open(desk.url);
  await deskPage.start();
  await expect(deskPage.get('streaming-state')).toHaveAttribute('data-state', 'streaming');
  await deskPage.goTo('monitor');
  const card = deskPage.get('monitor-account-default');

  await test.step('a card for the default account: SIM, the 24/7 sim exchange, a state with its reason', async () => {
    await expect(card).toBeVisible({ timeout: 15_000 });
    await expect(card.getByTestId('monitor-venue-mode')).toHaveText('SIM');
    await expect(card.getByTestId('monitor-exchange')).toContainText('SIM');
    await expect(card.getByTestId('monitor-state')).toHaveAttribute('data-state', /^(active|running)$/);
    await expect(card.getByTestId('monitor-reason')).not.toBeEmpty();
  });

  await test.step('settings: interval 5 s through monitor.configure; a bad value is refused next to its field', async () => {
    await card.getByTestId('monitor-settings-toggle').click();
    const interval = card.getByTestId('monitor-set-interval');
    await interval.fill('2');
    await expect(card.getByTestId('monitor-settings-form')).toContainText('Interval must be from 5 s to 3,600 s');
    await expect(card.getByTestId('monitor-settings-save')).toBeDisabled();
    await interval.fill('5');
    await card.getByTestId('monitor-settings-save').click();
    await expect(card.getByTestId('monitor-settings-error')).toHaveCount(0);
    await expect(card.getByTestId('monitor-next-run')).toContainText('every 5 s');
    await expect(card.getByTestId('monitor-settings-state')).toHaveText('no changes');
    await card.getByTestId('monitor-settings-toggle').click();
  });

  await test.step('cycles tick: new rows arrive, each with ten steps; the countdown counts', async () => {
    await expect(card.locator('[data-testid^="monitor-cycle-"][data-status]').first()).toBeVisible({ timeout: 20_000 });
    const first = await newestCycle(card);
    await expect.poll(() => newestCycle(card), { timeout: 20_000 }).not.toBe(first);
    const newest = await newestCycle(card);
    await expect(card.locator(`[data-testid^="monitor-step-${newest}-"]`)).toHaveCount(10);
    await expect(deskPage.get(`monitor-cycle-${newest}`)).toHaveAttribute('data-status', 'ok');
    await expect(deskPage.get(`monitor-step-${newest}-1`)).toHaveAttribute('data-status', 'ok');
    // the countdown moves (the state may pass through "running" in between)
    const next = card.getByTestId('monitor-next-run');
    const before = await next.textContent();
    await expect.poll(() => next.textContent(), { timeout: 5_000 }).not.toBe(before);
    await shot('monitor-ticking');
  });

  let failed = '';
  await test.step('a forced step-1 failure: the cycle stops, step 1 failed, 2–9 skipped; its details list the error first', async () => {
    const before = await newestCycle(card);
    await desk.fault({ kind: 'step_fault', step: 1, key: KEY });
    const stopped = card.locator('[data-testid^="monitor-cycle-"][data-status="stopped"]').first();
    await expect(stopped).toBeVisible({ timeout: 20_000 });
    failed = ((await stopped.getAttribute('data-testid')) ?? '').replace('monitor-cycle-', '');
    expect(failed).not.toBe(before);
    await expect(deskPage.get(`monitor-step-${failed}-1`)).toHaveAttribute('data-status', 'failed');
    await expect(deskPage.get(`monitor-step-${failed}-1`)).toHaveText('1✗');
    for (let n = 2; n <= 9; n++) await expect(deskPage.get(`monitor-step-${failed}-${n}`)).toHaveAttribute('data-status', 'skipped');
    await expect(card.getByTestId('monitor-failing-1')).toContainText('step 1 fetch');
    await stopped.click();
    const details = card.getByTestId('monitor-cycle-details');
    await expect(details).toHaveAttribute('data-cycle', failed);
    await expect(details.getByTestId('monitor-detail-errors')).toContainText('step 1 fetch');
    await expect(details.getByTestId('monitor-detail-step-1')).toHaveAttribute('data-status', 'failed');
    await expect(details.getByTestId('monitor-detail-step-2')).toContainText('skipped');
    await shot('monitor-step-failure');
    // clear the fault: the next cycles run clean again and the warning goes
    await desk.fault({ kind: 'resume' });
    await expect(card.locator('[data-testid^="monitor-cycle-"][data-status]').first()).toHaveAttribute('data-status', 'ok', { timeout: 20_000 });
    await expect(card.getByTestId('monitor-failing-1')).toHaveCount(0);
    await details.getByTestId('monitor-cycle-details-close').click();
  });

  await test.step('session expiry → session_needed with Re-authenticate → the account active again', async () => {
    await desk.fault({ kind: 'expire_session', key: KEY });
    await expect(card).toHaveAttribute('data-state', 'session_needed', { timeout: 20_000 });
    await expect(card.getByTestId('monitor-state')).toHaveText('Session needed');
    const session = card.getByTestId('monitor-session');
    await expect(session).toBeVisible();
    await expect(card.getByTestId('monitor-session-error')).not.toBeEmpty();
    await expect(card.getByTestId('monitor-session-since')).toContainText('since');
    // (the venue's own session report or a cycle's step 1 — whichever comes first — sets the state)
    await shot('monitor-session-needed');
    // One click: the simulated venue's re-authentication is a login that renews the key's session.
    // a real click (no force): Playwright refuses it if another element would receive it
    await card.getByTestId('monitor-reauth').click();
    await expect(card).toHaveAttribute('data-state', /^(active|running)$/, { timeout: 20_000 });
    await expect(session).toHaveCount(0);
    await expect(card.getByTestId('monitor-reauth-error')).toHaveCount(0);
    // and it cycles again, cleanly
    const after = await newestCycle(card);
    await expect.poll(() => newestCycle(card), { timeout: 20_000 }).not.toBe(after);
    await expect(card.locator('[data-testid^="monitor-cycle-"][data-status]').first()).toHaveAttribute('data-status', 'ok');
    await shot('monitor-reauthenticated');
  });

  await test.step('Pause stops the schedule (Resume offered), Run now still runs one cycle; Resume restarts it', async () => {
    await card.getByTestId('monitor-pause').click();
    await expect(card).toHaveAttribute('data-state', 'paused', { timeout: 10_000 });
    await expect(card.getByTestId('monitor-pause')).toHaveText('Resume');
    await expect(card.getByTestId('monitor-next-run')).toContainText('no run scheduled');
    const before = await newestCycle(card);
    await card.getByTestId('monitor-run-now').click();
    await expect.poll(() => newestCycle(card), { timeout: 15_000 }).not.toBe(before);
    const manual = await newestCycle(card);
    await expect(deskPage.get(`monitor-cycle-${manual}`)).toContainText('run now');
    await card.getByTestId('monitor-pause').click();
    await expect(card).toHaveAttribute('data-state', /^(active|running)$/, { timeout: 10_000 });
    await expect(card.getByTestId('monitor-pause')).toHaveText('Pause');
  });
});
