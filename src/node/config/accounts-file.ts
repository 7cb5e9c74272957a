/**
 * The accounts file (`accounts.json` in the state directory): the accounts the desk holds besides
 * the default one (today's configured venue, id `default`, always present). zod-validated at this
 * trust edge; every problem is named by the file and its JSON path, all at once.
 *
 *   {
 *     "version": 1,
 *     "accounts": [
 *       { "id": "sim2", "label": "Second simulator", "venue": "sim", "mode": "SIM", "venue_name": "sim2" },
 *       { "id": "alpaca-paper", "label": "Alpaca paper", "venue": "alpaca", "mode": "PAPER", "credentials": "alpaca" }
 *     ]
 *   }
 *
 * `venue`: the venue kind (sim, alpaca; the registry's kinds). `mode`: SIM for `sim`, PAPER or LIVE
 * for `alpaca`. `credentials`: which stored credentials it uses (by venue; `alpaca` accounts default
 * to `alpaca`, `sim` needs none). `venue_name`: the market-data source's instance name — the venue
 * part of its InstrumentIds (default: the venue kind). Accounts of one kind may share a name (one
 * market): simulated accounts of one name share one simulated venue server (the default account's is
 * `sim`), each with its own key and book (venues/registry.ts); a kind's name (`alpaca`) is never
 * another kind's. The id `venue` is reserved.
 */
import { z } from 'zod';
import type { Account } from '../../core/model/account';
import { DEFAULT_ACCOUNT_ID } from '../../core/model/account';
import { accountId, IdError } from '../../core/model/ids';
import { plainIssue } from '../../core/model/plain-issues';
import { jsonPath } from '../../core/model/portfolio-file';
import type { StateFiles } from '../state/state-dir';

export const ACCOUNTS_FILE = 'accounts.json';

const idSchema = z.string().superRefine((text, ctx) => {
  try {
    accountId(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof IdError ? `is not an account id: ${err.message}` : 'is not an account id' });
    return;
  }
  if (text === DEFAULT_ACCOUNT_ID) ctx.addIssue({ code: 'custom', message: `"${DEFAULT_ACCOUNT_ID}" is the configured venue's own account; give this account another id` });
  // The default account's venue positions are `venue:<symbol>`, another account's `<id>:<symbol>`.
  if (text === RESERVED_VENUE_POSITIONS) ctx.addIssue({ code: 'custom', message: `"${RESERVED_VENUE_POSITIONS}" is reserved (the default account's venue positions are named "venue:<symbol>"); give this account another id` });
});

/** Not an account id: the prefix of the default account's venue position ids. */
const RESERVED_VENUE_POSITIONS = 'venue';
/** Venue kinds: a name that is a kind is that kind's (the default account's venue is named by its kind). */
const VENUE_KINDS = ['sim', 'alpaca', 'smartapi', 'delta', 'replay'] as const;

const common = {
  id: idSchema,
  label: z.string().trim().min(1).max(80),
  venue_name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be 1–32 lower-case letters, digits, "_" or "-", starting with a letter')
    .optional(),
};

const accountEntry = z.discriminatedUnion('venue', [
  z.object({ ...common, venue: z.literal('sim'), mode: z.literal('SIM', 'must be "SIM" for a simulated account') }).strict(),
  z
    .object({
      ...common,
      venue: z.literal('alpaca'),
      mode: z.enum(['PAPER', 'LIVE'], 'must be "PAPER" or "LIVE" for an Alpaca account'),
      credentials: z.literal('alpaca', 'must be "alpaca" (the stored Alpaca keys)').optional(),
    })
    .strict(),
], 'must be "sim" or "alpaca"');

const accountsFileSchema = z
  .object({ version: z.literal(1, 'must be 1'), accounts: z.array(accountEntry).max(64) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.accounts.forEach((a, i) => {
      const first = seen.get(a.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `"id" repeats the id of account ${first + 1} ("${a.id}"): ids must be unique` });
      else seen.set(a.id, i);
    });
    // A venue name is one market-data source: the venue part of its quotes' InstrumentIds. Accounts
    // of one kind may share a name (they see the same market: simulated accounts of one name share
    // one simulated venue server, each with its own key and book, "sim" being the default account's);
    // a name is never another kind's.
    const names = new Map<string, { kind: string; index: number }>();
    file.accounts.forEach((a, i) => {
      const path = ['accounts', i, 'venue_name'];
      const name = a.venue_name ?? a.venue;
      if ((VENUE_KINDS as readonly string[]).includes(name) && name !== a.venue) {
        ctx.addIssue({ code: 'custom', path, message: `"${name}" names the ${name} venue; a ${a.venue} account cannot use it` });
        return;
      }
      const prior = names.get(name);
      if (prior === undefined) names.set(name, { kind: a.venue, index: i });
      else if (prior.kind !== a.venue) {
        ctx.addIssue({ code: 'custom', path, message: `"${name}" is already the venue of account ${prior.index + 1} (a ${prior.kind} venue): one name is one venue` });
      }
    });
  });

export type AccountsFile = z.infer<typeof accountsFileSchema>;

/** An accounts file that cannot be used: `issues` name each field by its JSON path. */
export class AccountsFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`accounts file ${file}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'AccountsFileError';
  }
}

/** Parses the accounts file's text (`file` names it in errors). Throws AccountsFileError listing every problem. */
export function parseAccountsFile(text: string, file: string): Account[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AccountsFileError(file, [{ path: '$', message: `is not JSON (${err instanceof Error ? err.message : String(err)})` }]);
  }
  const r = accountsFileSchema.safeParse(json);
  if (!r.success) throw new AccountsFileError(file, r.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: plainIssue(issue) })));
  return r.data.accounts.map((a): Account => {
    const base = { id: accountId(a.id), label: a.label, ...(a.venue_name !== undefined ? { venueName: a.venue_name } : {}) };
    return a.venue === 'sim' ? { ...base, venue: 'sim', mode: 'SIM', credentialsRef: null } : { ...base, venue: 'alpaca', mode: a.mode, credentialsRef: { venue: 'alpaca' } };
  });
}

/** The configured accounts from the state directory's accounts file; none when there is no file. */
export function loadAccountsFile(files: StateFiles, name = ACCOUNTS_FILE): Account[] {
  const text = files.read(name);
  return text === null ? [] : parseAccountsFile(text, files.describe(name));
}
