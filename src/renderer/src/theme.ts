import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/**
 * One theme for both colour schemes. Numbers use tabular figures so columns of prices and P&L do
 * not jitter as they tick.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  // Filled colours at their darkest shade, so white text on them meets WCAG AA (4.5:1) in both
  // schemes (teal-6 with white was 2.5:1); the `-text` / `-light-color` variables follow.
  primaryShade: { light: 9, dark: 9 },
  autoContrast: true,
  fontFamily: 'Inter, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  fontFamilyMonospace: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  headings: { fontWeight: '600' },
});

/** Colours of P&L tones (Mantine colour names; the shade adapts to the scheme). */
export const TONE_COLOR = { pos: 'teal', neg: 'red', zero: 'dimmed', unknown: 'orange' } as const;

/**
 * Secondary text ("dimmed": labels, units, hints) at ≥ 4.5:1 on every panel background of its
 * scheme — Mantine's default was 3.3:1 in light and 4.0:1 in dark (checked by the e2e contrast run).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    // Field errors (text and the refused input's value): red-6 was 3.3:1 on white.
    '--mantine-color-error': '#c92a2a',
    // Text of "light" variants (badges, chips, the active nav button, fresh ages) on their tinted
    // backgrounds: shade 9 of teal / orange / yellow was 4.3 / 3.6 / 2.7:1 there; these are ≥ 4.8:1.
    '--mantine-color-blue-light-color': '#0b4a83',
    '--mantine-color-teal-light-color': '#066649',
    '--mantine-color-red-light-color': '#a61e1e',
    '--mantine-color-orange-light-color': '#9a3a0a',
    '--mantine-color-yellow-light-color': '#7a4f00',
    '--mantine-color-gray-light-color': '#343a40',
  },
  dark: { '--mantine-color-dimmed': '#adb5bd', '--mantine-color-error': '#ff8787' },
});
