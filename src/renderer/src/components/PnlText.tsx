import { Text, type TextProps } from '@mantine/core';
import { decimalTone, formatMoney, formatPct, numberTone } from '../features/format/format';

/** A money P&L, coloured by sign; null reads "unknown" (orange, italic) — never 0. */
export function PnlText({ value, decimals, testId, suffix, ...rest }: { value: string | null; decimals: number; testId?: string; suffix?: string } & TextProps) {
  const tone = decimalTone(value);
  return (
    <Text span className={`num tone-${tone}`} data-testid={testId} data-tone={tone} {...rest}>
      {formatMoney(value, decimals, { signed: true })}
      {suffix && value !== null ? suffix : ''}
    </Text>
  );
}

/** A P&L percentage, coloured by sign. */
export function PctText({ value, testId, ...rest }: { value: number | null; testId?: string } & TextProps) {
  const tone = numberTone(value);
  return (
    <Text span className={`num tone-${tone === 'unknown' ? 'zero' : tone}`} data-testid={testId} data-tone={tone} {...rest}>
      {formatPct(value, 2, { signed: true })}
    </Text>
  );
}
