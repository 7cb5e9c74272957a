/**
 * zod issues → sentences a trader reads: the field by its name, what is wrong, and what is
 * allowed — never the library's own text ("Invalid input: expected string, received undefined",
 * "Too small: expected number to be >=0.5"). A message the schema wrote itself (e.g. "must be
 * YYYY-MM-DD") is kept. The input is never echoed (a file's content stays out of error messages).
 */
import type { z } from 'zod';

export interface FieldRange {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Unit written after a number, e.g. "s" or "%". */
  unit?: string;
}

export interface PlainOptions {
  /** The field's name as the trader knows it ("Stale threshold"); default: the last path key. */
  label?: string;
  /** The allowed range, when known, so a bound message can give both ends. */
  range?: FieldRange;
}

/** zod's default messages start like this; a schema's own message does not. */
const DEFAULT_MESSAGE = /^(Invalid|Too small|Too big|Unrecognized key)/;

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object (in braces)',
  bigint: 'a whole number',
};

function num(n: number | bigint, unit?: string): string {
  const s = typeof n === 'bigint' ? n.toString() : Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
  return unit ? `${s} ${unit}` : s;
}

function rangeText(r: FieldRange | undefined): string | null {
  if (!r || (r.min === undefined && r.max === undefined)) return null;
  const whole = r.integer ? 'a whole number ' : '';
  if (r.min !== undefined && r.max !== undefined) return `${whole}from ${num(r.min, r.unit)} to ${num(r.max, r.unit)}`;
  if (r.min !== undefined) return `${whole}of at least ${num(r.min, r.unit)}`;
  return `${whole}of at most ${num(r.max!, r.unit)}`;
}

function quoteList(values: readonly unknown[]): string {
  const q = values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q.at(-1)}`;
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && (('input' in issue && issue.input === undefined) || / received undefined$/.test(issue.message));
}

/** One issue as a sentence starting with the field's name. */
export function plainIssue(issue: z.core.$ZodIssue, opts: PlainOptions = {}): string {
  const last = issue.path.length ? issue.path[issue.path.length - 1] : undefined;
  const label = opts.label ?? (typeof last === 'string' ? `"${last}"` : typeof last === 'number' ? `item ${last + 1}` : 'the value');
  const range = rangeText(opts.range);
  const allowed = range ? ` (allowed: ${range})` : '';
  // The schema's own words: "must be YYYY-MM-DD" reads after the field's name; a full sentence stands alone.
  if (!DEFAULT_MESSAGE.test(issue.message)) return /^(must|is|are|needs|should|cannot|has)\b/.test(issue.message) ? `${label} ${issue.message}` : issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (isMissing(issue)) return `${label} is required${range ? ` — ${range}` : ''}`;
      return `${label} must be ${range ?? KIND[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      if (issue.origin === 'string') return issue.minimum === 1 ? `${label} must not be empty` : `${label} must be at least ${num(issue.minimum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label} needs at least ${num(issue.minimum)} ${issue.minimum === 1 ? 'item' : 'items'}`;
      return `${label} must be ${issue.inclusive ? 'at least' : 'more than'} ${num(issue.minimum, opts.range?.unit)}${allowed}`;
    }
    case 'too_big': {
      if (issue.origin === 'string') return `${label} must be at most ${num(issue.maximum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label} allows at most ${num(issue.maximum)} items`;
      return `${label} must be ${issue.inclusive ? 'at most' : 'less than'} ${num(issue.maximum, opts.range?.unit)}${allowed}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `${label} must be ${quoteList(issue.values)}` : `${label} must be one of ${quoteList(issue.values)}`;
    case 'unrecognized_keys':
      return issue.keys.length === 1 ? `unknown field "${issue.keys[0]}" (remove it or check its spelling)` : `unknown fields ${issue.keys.map((k) => `"${k}"`).join(', ')} (remove them or check their spelling)`;
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `${label} must be one of ${quoteList(options)}`;
      }
      // Every branch says what it expected; a missing value is missing in each.
      const kinds = issue.errors.map((branch) => branch[0]).filter((i): i is z.core.$ZodIssue => i !== undefined);
      if (kinds.length && kinds.every((i) => isMissing(i))) return `${label} is required`;
      const expected = [...new Set(kinds.filter((i) => i.code === 'invalid_type').map((i) => KIND[(i as { expected: string }).expected] ?? (i as { expected: string }).expected))];
      return expected.length ? `${label} must be ${expected.join(' or ')}` : `${label} is not valid here`;
    }
    case 'invalid_format':
      return `${label} is not in the expected format${issue.format === 'regex' ? '' : ` (${issue.format})`}`;
    case 'not_multiple_of':
      return `${label} must be a multiple of ${num(issue.divisor as number)}`;
    default:
      return `${label} is not valid`;
  }
}

/** The allowed range of a zod number schema (its min / max / integer checks), when it has one. */
export function rangeOf(schema: unknown, unit?: string): FieldRange | undefined {
  let s = schema as { minValue?: number | null; maxValue?: number | null; isInt?: boolean; unwrap?: () => unknown; def?: { innerType?: unknown } };
  // Look through optional / nullable / default wrappers.
  for (let i = 0; i < 4 && s && s.minValue === undefined && s.def?.innerType; i++) s = s.def.innerType as typeof s;
  if (!s || (s.minValue === undefined && s.maxValue === undefined)) return undefined;
  const min = s.minValue ?? undefined;
  const max = s.maxValue ?? undefined;
  const safe = (n: number | undefined) => (n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n);
  return { min: safe(min === null ? undefined : min), max: safe(max === null ? undefined : max), integer: s.isInt === true, unit };
}
