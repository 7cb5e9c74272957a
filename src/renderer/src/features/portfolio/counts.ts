/**
 * One file, three counts that measure different things — each says what it counts, so they never
 * read as contradictions (review of issues 12–14): the loader counts the file's entries (a structure
 * is one entry), the positions table counts positions with every structure leg that has a cost basis,
 * and the totals count what they value (open positions, legs included, plus structures valued only
 * from their net debit).
 */
import { formatCount, plural } from '../format/format';

/** The loader's line: "7 entries in the file (3 of them structures)". */
export function fileEntriesText(entries: number, structures: number): string {
  const of = structures > 0 ? ` (${formatCount(structures)} of them ${structures === 1 ? 'a structure' : 'structures'})` : '';
  return `${plural(entries, 'entry', 'entries')} in the file${of}`;
}

/** The positions table's heading: "10 positions (structure legs included), 3 structures". */
export function tablePositionsText(positions: number, structures: number): string {
  return `${plural(positions, 'position')}${structures > 0 ? ` (structure legs included), ${plural(structures, 'structure')}` : ''}`;
}

/** The totals' "+ 1 structure (net debit)": structures valued only from their net debit, on top of the positions. */
export function netDebitStructuresText(n: number): string {
  return `+ ${plural(n, 'structure')} (net debit)`;
}
