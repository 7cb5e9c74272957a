import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test, expect, PAGES, type DeskPage } from './fixtures';
import type { Page } from '@playwright/test';

/**
 * WCAG AA contrast (4.5:1 for text, 3:1 for large text) of every text on screen, in both themes,
 * with live data showing: axe-core's color-contrast rule only, run inside the page. The source is
 * evaluated through the DevTools protocol (the app's CSP allows no inline script, and needs not).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface ContrastViolation {
  target: string;
  text: string;
  summary: string;
}

async function contrastViolations(page: Page): Promise<ContrastViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { nodes: { target: string[]; html: string; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] });
    return r.violations.flatMap((v) => v.nodes.map((n) => ({ target: n.target.join(' '), text: n.html.slice(0, 160), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240) })));
  });
}

/** Every page in both themes; returns the violations found, labelled (all of them, not the first). */
async function everyPage(deskPage: DeskPage, page: Page, label: string): Promise<string[]> {
  const out: string[] = [];
  for (const scheme of ['dark', 'light'] as const) {
    await deskPage.setTheme(scheme);
    for (const p of PAGES) {
      await deskPage.goTo(p);
      if (p === 'events') await page.locator('[data-testid="event-row"][data-depth="0"]').first().waitFor();
      // No hover tooltip half-way through its fade-in (the pointer rests on the footer).
      await page.mouse.move(4, (page.viewportSize()?.height ?? 800) - 4);
      await expect(page.locator('[role="tooltip"]')).toHaveCount(0);
      for (const v of await contrastViolations(page)) out.push(`${label}, ${p}, ${scheme}: ${v.target}: ${v.summary}\n    ${v.text}`);
    }
  }
  await deskPage.goTo('portfolio');
  return out;
}

test('contrast - every text meets WCAG AA in both themes, live and stale', async ({ desk, deskPage, page }) => {
  await deskPage.open(desk.url);
  await deskPage.start();
  await expect(deskPage.row('SPY').getByTestId('pnl')).not.toHaveAttribute('data-tone', 'unknown', { timeout: 15_000 });
  await expect(deskPage.structure('spy-dec-ic').getByTestId('net-pnl')).not.toContainText('unknown', { timeout: 15_000 });
  await deskPage.structure('spy-dec-ic').getByTestId('structure-payoff').click();
  await expect(deskPage.get('payoff-live')).toContainText(/\d/, { timeout: 15_000 });
  // Live: P&L of both signs, chips, fresh ages.
  await expect(page.locator('[data-testid="pnl"][data-tone="pos"]').first()).toBeVisible();
  await expect(page.locator('[data-testid="pnl"][data-tone="neg"]').first()).toBeVisible();
  const found = await everyPage(deskPage, page, 'streaming');
  // Error texts: a settings field refused, a portfolio file rejected.
  await deskPage.get('portfolio-path').fill('/no/such/portfolio.json');
  await deskPage.get('portfolio-load').click();
  await expect(deskPage.get('portfolio-error')).toBeVisible();
  for (const scheme of ['dark', 'light'] as const) {
    await deskPage.setTheme(scheme);
    await page.mouse.move(4, (page.viewportSize()?.height ?? 800) - 4);
    await expect(page.locator('[role="tooltip"]')).toHaveCount(0);
    for (const v of await contrastViolations(page)) found.push(`errors, portfolio, ${scheme}: ${v.target}: ${v.summary}\n    ${v.text}`);
    await deskPage.goTo('settings');
    await deskPage.get('settings-stale').fill('0.1');
    await expect(page.getByText('Stale threshold must be at least 0.5 s', { exact: false })).toBeVisible();
    await page.mouse.move(4, (page.viewportSize()?.height ?? 800) - 4);
    await expect(page.locator('[role="tooltip"]')).toHaveCount(0);
    for (const v of await contrastViolations(page)) found.push(`errors, settings, ${scheme}: ${v.target}: ${v.summary}\n    ${v.text}`);
    await deskPage.goTo('portfolio');
  }
  // Stale: the banner, red ages, "unknown" P&L.
  await deskPage.stop();
  await expect(deskPage.get('stale-banner')).toBeVisible({ timeout: 15_000 });
  found.push(...(await everyPage(deskPage, page, 'stopped, stale')));
  expect(found, `texts below WCAG AA contrast:\n${found.join('\n')}`).toEqual([]);
});
