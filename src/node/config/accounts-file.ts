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
 * `venue`: the venue kind (sim, alpaca, smartapi, delta; the registry's kinds). `mode`: SIM for `sim`,
 * PAPER or LIVE for `alpaca`, SIM (the simulated NSE face) or LIVE for `smartapi`, SIM (the simulated
 * crypto face), PAPER (testnet) or LIVE for `delta`. `credentials`: which stored credentials it uses (by venue; `alpaca` accounts default
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
/**
 * Names that are a venue's own: a kind's name is that kind's (the default account's venue is named by
 * the desk venue setting), `sim-nse` / `sim-delta` the simulated venue's NSE and crypto faces'.
 */
const RESERVED_NAMES: Readonly<Record<string, string>> = {
  sim: 'sim',
  alpaca: 'alpaca',
  smartapi: 'smartapi',
  delta: 'delta',
  replay: 'replay',
  'sim-nse': 'smartapi (simulated)',
  'sim-delta': 'delta (simulated)',
};

/** The venue name an account has when its file entry names none. */
function defaultVenueName(kind: 'sim' | 'alpaca' | 'smartapi' | 'delta', mode: string): string {
  if (mode === 'SIM' && kind === 'smartapi') return 'sim-nse';
  if (mode === 'SIM' && kind === 'delta') return 'sim-delta';
  return kind;
}

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
  // mode SIM: the SmartAPI adapter against the embedded simulated venue's NSE face (no credentials).
  z
    .object({
      ...common,
      venue: z.literal('smartapi'),
      mode: z.enum(['SIM', 'LIVE'], 'must be "SIM" (the simulated NSE venue) or "LIVE" for a SmartAPI account (Angel One has no paper environment)'),
      credentials: z.literal('smartapi', 'must be "smartapi" (the stored Angel One credentials)').optional(),
    })
    .strict(),
  // mode SIM: the Delta adapter against the embedded simulated venue's crypto face; PAPER: Delta's testnet.
  z
    .object({
      ...common,
      venue: z.literal('delta'),
      mode: z.enum(['SIM', 'PAPER', 'LIVE'], 'must be "SIM" (the simulated crypto venue), "PAPER" (Delta testnet) or "LIVE" for a Delta account'),
      credentials: z.literal('delta', 'must be "delta" (the stored Delta API key)').optional(),
    })
    .strict(),
], 'must be "sim", "alpaca", "smartapi" or "delta"');

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
    // A SmartAPI/Delta account of mode SIM is on the simulated venue's face (`sim-nse`, `sim-delta` by
    // default), never the broker's own market: its venue is "<kind> (simulated)".
    const names = new Map<string, { kind: string; index: number }>();
    file.accounts.forEach((a, i) => {
      const path = ['accounts', i, 'venue_name'];
      const simFace = a.venue !== 'sim' && a.mode === 'SIM';
      const kind = simFace ? `${a.venue} (simulated)` : a.venue;
      const name = a.venue_name ?? defaultVenueName(a.venue, a.mode);
      const owner = RESERVED_NAMES[name];
      if (owner !== undefined && owner !== kind) {
        ctx.addIssue({ code: 'custom', path, message: `"${name}" names the ${owner} venue; a ${kind} account cannot use it` });
        return;
      }
      const prior = names.get(name);
      if (prior === undefined) names.set(name, { kind, index: i });
      else if (prior.kind !== kind) {
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
    const named = a.venue_name ?? (a.venue !== 'sim' && a.mode === 'SIM' ? defaultVenueName(a.venue, a.mode) : undefined);
    const base = { id: accountId(a.id), label: a.label, ...(named !== undefined ? { venueName: named } : {}) };
    switch (a.venue) {
      case 'sim':
        return { ...base, venue: 'sim', mode: 'SIM', credentialsRef: null };
      case 'alpaca':
        return { ...base, venue: 'alpaca', mode: a.mode, credentialsRef: { venue: 'alpaca' } };
      case 'smartapi':
      case 'delta':
        // A SIM account talks to the embedded simulated venue's face with its fixed credentials.
        return { ...base, venue: a.venue, mode: a.mode, credentialsRef: a.mode === 'SIM' ? null : { venue: a.venue } };
    }
  });
}

/** The configured accounts from the state directory's accounts file; none when there is no file. */
export function loadAccountsFile(files: StateFiles, name = ACCOUNTS_FILE): Account[] {
  const text = files.read(name);
  return text === null ? [] : parseAccountsFile(text, files.describe(name));
}
