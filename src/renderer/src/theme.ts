import { createTheme } from '@mantine/core';

/**
 * One theme for both colour schemes. Numbers use tabular figures so columns of prices and P&L do
 * not jitter as they tick.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  fontFamily: 'Inter, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  fontFamilyMonospace: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  headings: { fontWeight: '600' },
});

/** Colours of P&L tones (Mantine colour names; the shade adapts to the scheme). */
export const TONE_COLOR = { pos: 'teal', neg: 'red', zero: 'dimmed', unknown: 'orange' } as const;
