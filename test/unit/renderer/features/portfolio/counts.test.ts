import { describe, expect, it } from 'vitest';
import { fileEntriesText, netDebitStructuresText, tablePositionsText } from '../../../../../src/renderer/src/features/portfolio/counts';
import { formatCount } from '../../../../../src/renderer/src/features/format/format';

describe('counts say what they count (review of issues 12–14: "7 positions" vs "10 positions" vs "10 + 1")', () => {
  it('the loader counts entries in the file, the table positions with legs, the totals net-debit structures on top', () => {
    // the sample file: 4 single positions + 3 structures = 7 entries; 10 positions once legs are counted
    expect(fileEntriesText(7, 3)).toBe('7 entries in the file (3 of them structures)');
    expect(fileEntriesText(1, 0)).toBe('1 entry in the file');
    expect(fileEntriesText(2, 1)).toBe('2 entries in the file (1 of them a structure)');
    expect(tablePositionsText(10, 3)).toBe('10 positions (structure legs included), 3 structures');
    expect(tablePositionsText(4, 0)).toBe('4 positions');
    expect(netDebitStructuresText(1)).toBe('+ 1 structure (net debit)');
  });

  it('large counts have thousands separators ("OPEN POSITIONS 12001" → 12,001)', () => {
    expect(formatCount(12001)).toBe('12,001');
    expect(fileEntriesText(12001, 0)).toBe('12,001 entries in the file');
    expect(tablePositionsText(12001, 1200)).toBe('12,001 positions (structure legs included), 1,200 structures');
  });
});
