/**
 * A strategy definition (issue 18 item 1; spec §9): what a strategy run trades and how — the account
 * and underlying, the legs and how each contract is selected, the schedule, the entry ladder, the
 * exits and re-entry. One zod schema, used at every trust edge (the `strategy.*` commands, a JSON
 * import, a row read back from the ledger): an error names the field (`legs.1.delta.min: …`).
 *
 * Snake_case like the wire and the exported JSON (a definition exported is imported unchanged).
 * Prices and premiums are exact decimal strings; times of day are HH:mm in the exchange's zone.
 */
import { z } from 'zod';

const decimal = (what: string) => z.string().trim().regex(/^\d{1,12}(\.\d{1,8})?$/, `must be a non-negative decimal ${what} such as "30" or "0.5"`);
const positive = (what: string) => decimal(what).refine((s) => /[1-9]/.test(s), `must be a positive ${what}`);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:mm such as "09:20"');
const name = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** How a leg's contract is chosen from the chain. */
export const legSelectionSchema = z.discriminatedUnion('by', [
  /** The strike whose |delta| is inside [min, max], nearest the middle of the range (calls and puts alike: absolute delta). */
  z
    .object({ by: z.literal('delta'), min: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'), max: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1') })
    .strict()
    .refine((d) => d.min <= d.max, { message: 'min must not be above max', path: ['min'] }),
  /** The strike `offset` strikes away from the at-the-money one (positive: higher strikes). */
  z.object({ by: z.literal('strike_offset'), offset: z.number().int().min(-50).max(50) }).strict(),
]);
export type LegSelection = z.infer<typeof legSelectionSchema>;

/** Which expiry: the nearest one at least `min_days` away (0: today's, if it still trades), or the n-th weekly / monthly. */
export const expiryRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('nearest'), min_days: z.number().int().min(0).max(366) }).strict(),
  z.object({ kind: z.literal('weekly'), n: z.number().int().min(1).max(8) }).strict(),
  z.object({ kind: z.literal('monthly'), n: z.number().int().min(1).max(12) }).strict(),
]);
export type ExpiryRule = z.infer<typeof expiryRuleSchema>;

/** A stop loss / take profit distance: premium percent, or points (price units). */
export const exitRuleSchema = z.object({ kind: z.enum(['pct', 'points']), value: positive('value') }).strict();
export type ExitRule = z.infer<typeof exitRuleSchema>;

export const legSchema = z
  .object({
    right: z.enum(['call', 'put']),
    side: z.enum(['buy', 'sell']),
    /** Quantity in lots (contracts for US options; × lot size where quantities are in lots). */
    lots: z.number().int().min(1, 'must be at least 1').max(10_000),
    select: legSelectionSchema,
    expiry: expiryRuleSchema,
    /** Per-leg exits on the leg's own premium (null: none). */
    stop_loss: exitRuleSchema.nullable(),
    take_profit: exitRuleSchema.nullable(),
  })
  .strict();
export type StrategyLeg = z.infer<typeof legSchema>;

export const strategyDefinitionSchema = z
  .object({
    /** Stable id (letters, digits, `_ . -`), chosen by the user or generated. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an id of letters, digits, "_", "." or "-"'),
    name,
    account: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an account id'),
    underlying: z.string().trim().min(1, 'must name the underlying').max(32),
    legs: z.array(legSchema).min(1, 'must have at least one leg').max(4, 'at most 4 legs'),
    schedule: z
      .object({
        /** Entry time of day in the exchange's zone. */
        entry_time: hhmm,
        days: z
          .array(z.enum(WEEKDAYS))
          .min(1, 'must name at least one day')
          .max(7)
          .refine((days) => new Set(days).size === days.length, 'must not name a day twice'),
      })
      .strict(),
    entry: z
      .object({
        /** Limit attempts, the first at the mid. */
        max_retry: z.number().int().min(1).max(50),
        /** Between attempts (ms). */
        retry_delay_ms: z.number().int().min(100).max(600_000),
        /** Ticks toward the far side per attempt. */
        step_ticks: z.number().int().min(1).max(100),
        /**
         * How far from the mid the ladder may go, frozen at the decision (entry start): a fraction of
         * the half-spread (1 = up to the far side) — the limit never passes it.
         */
        bound_spread_fraction: z.number().gt(0).max(1),
        /** After `max_retry` limits: `market` sends the rest at market; `give_up` cancels and ends the entry. */
        fallback: z.enum(['market', 'give_up']),
      })
      .strict(),
    exits: z
      .object({
        /** On the whole structure's combined premium (null: none). */
        stop_loss: exitRuleSchema.nullable(),
        take_profit: exitRuleSchema.nullable(),
        /** Trailing stop on the structure's P&L: armed at `activation` (premium %), trails `distance` (premium %) behind the best. */
        trailing: z.object({ activation_pct: positive('activation percent'), distance_pct: positive('distance percent') }).strict().nullable(),
        /** Forced exit time of day (exchange zone), null: none. */
        forced_exit_time: hhmm.nullable(),
      })
      .strict(),
    reentry: z
      .object({
        count: z.number().int().min(0).max(20),
        /** No re-entry after this time of day (exchange zone); null: until the forced exit. */
        cutoff_time: hhmm.nullable(),
      })
      .strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    // (only between valid times: an invalid one has its own error)
    const valid = (t: string | null) => t !== null && /^([01]\d|2[0-3]):[0-5]\d$/.test(t);
    if (!valid(d.schedule.entry_time)) return;
    if (valid(d.exits.forced_exit_time) && d.exits.forced_exit_time !== null && d.exits.forced_exit_time <= d.schedule.entry_time) {
      ctx.addIssue({ code: 'custom', path: ['exits', 'forced_exit_time'], message: `must be after the entry time ${d.schedule.entry_time}` });
    }
    if (valid(d.reentry.cutoff_time) && d.reentry.cutoff_time! < d.schedule.entry_time) {
      ctx.addIssue({ code: 'custom', path: ['reentry', 'cutoff_time'], message: `must not be before the entry time ${d.schedule.entry_time}` });
    }
  });
export type StrategyDefinition = z.infer<typeof strategyDefinitionSchema>;

/** Parses an untrusted definition; errors are `path: message` lines naming the field. */
export function parseStrategyDefinition(raw: unknown): { ok: true; definition: StrategyDefinition } | { ok: false; errors: string[] } {
  const r = strategyDefinitionSchema.safeParse(raw);
  if (r.success) return { ok: true, definition: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
}
