/** `accounts` and `instruments` on SQLite: the AccountLedger port. */
import type { AccountConfig, AccountLedger, AccountRow, EpochMs, InstrumentRow, KillSwitchState, VenueId } from '../../../core/ports/ledger-store';
import { LedgerError } from '../errors';
import { notFound, VENUES, type LedgerDb } from '../ledger-db';
import { rowMapper } from '../row-mapper';
import { decimal, epochMs, isoOf, oneOf, optDecimal, optText, record, show, text } from '../values';

const KILL_SWITCH: readonly KillSwitchState[] = ['active', 'reducing', 'halted'];

const toAccount = rowMapper<AccountRow>('account_id venue label mode kill_switch created_at:time updated_at:time');
const toInstrument = rowMapper<InstrumentRow>(
  'venue symbol kind underlying expiry strike option_right>right multiplier tick_size lot_size token currency updated_at:time',
);

export class SqliteAccountLedger implements AccountLedger {
  private readonly st;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    this.st = {
      upsertAccount: s(
        `INSERT INTO accounts (account_id, venue, label, mode, kill_switch, created_at, updated_at) VALUES (@id, @venue, @label, @mode, 'active', @iso, @iso)
         ON CONFLICT (account_id) DO UPDATE SET venue = excluded.venue, label = excluded.label, mode = excluded.mode, updated_at = excluded.updated_at`,
      ),
      setKillSwitch: s('UPDATE accounts SET kill_switch = ?, updated_at = ? WHERE account_id = ?'),
      getAccount: s('SELECT * FROM accounts WHERE account_id = ?'),
      listAccounts: s('SELECT * FROM accounts ORDER BY account_id'),
      upsertInstrument: s(
        `INSERT INTO instruments (venue, symbol, kind, underlying, expiry, strike, option_right, multiplier, tick_size, lot_size, token, currency, updated_at)
         VALUES (@venue, @symbol, @kind, @underlying, @expiry, @strike, @option_right, @multiplier, @tick_size, @lot_size, @token, @currency, @updated_at)
         ON CONFLICT (venue, symbol) DO UPDATE SET kind = excluded.kind, underlying = excluded.underlying, expiry = excluded.expiry, strike = excluded.strike,
           option_right = excluded.option_right, multiplier = excluded.multiplier, tick_size = excluded.tick_size, lot_size = excluded.lot_size,
           token = excluded.token, currency = excluded.currency, updated_at = excluded.updated_at`,
      ),
      getInstrument: s('SELECT * FROM instruments WHERE venue = ? AND symbol = ?'),
    };
  }

  upsertAccount(account: AccountConfig, at: EpochMs): AccountRow {
    const a = record('accounts', account);
    const id = text('accounts.account_id', a.accountId);
    const venue = oneOf('accounts.venue', a.venue, VENUES);
    const label = text('accounts.label', a.label);
    const mode = oneOf('accounts.mode', a.mode, ['sim', 'paper', 'live'] as const);
    const iso = isoOf(epochMs('accounts.updated_at', at));
    return this.l.transaction(() => {
      this.st.upsertAccount().run({ id, venue, label, mode, iso });
      return this.getAccount(id)!;
    });
  }

  setKillSwitch(accountId: string, state: KillSwitchState, at: EpochMs): AccountRow {
    const s = oneOf('accounts.kill_switch', state, KILL_SWITCH);
    const iso = isoOf(epochMs('accounts.updated_at', at));
    return this.l.transaction(() => {
      const r = this.st.setKillSwitch().run(s, iso, accountId);
      if (r.changes === 0) throw notFound('account', accountId);
      return this.getAccount(accountId)!;
    });
  }

  getAccount(accountId: string): AccountRow | null {
    const r = this.st.getAccount().get(accountId) as Record<string, unknown> | undefined;
    return r ? toAccount(r) : null;
  }

  listAccounts(): AccountRow[] {
    return (this.st.listAccounts().all() as Record<string, unknown>[]).map(toAccount);
  }

  upsertInstrument(instrument: InstrumentRow): void {
    const i = record('instruments', instrument);
    const expiry = i.expiry === null ? null : text('instruments.expiry', i.expiry, 10);
    if (expiry !== null && !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) {
      throw new LedgerError('invalid_value', `instruments.expiry: expected a date as YYYY-MM-DD, got ${show(expiry)}; nothing was written`);
    }
    const params = {
      venue: oneOf('instruments.venue', i.venue, VENUES),
      symbol: text('instruments.symbol', i.symbol),
      kind: oneOf('instruments.kind', i.kind, ['stock', 'option', 'future', 'perpetual', 'index', 'other'] as const),
      underlying: optText('instruments.underlying', i.underlying, 200),
      expiry,
      strike: optDecimal('instruments.strike', i.strike, 'nonNegative'),
      option_right: i.right === null ? null : oneOf('instruments.option_right', i.right, ['call', 'put'] as const),
      multiplier: decimal('instruments.multiplier', i.multiplier, 'positive'),
      tick_size: optDecimal('instruments.tick_size', i.tickSize, 'positive'),
      lot_size: optDecimal('instruments.lot_size', i.lotSize, 'positive'),
      token: optText('instruments.token', i.token, 200),
      currency: text('instruments.currency', i.currency, 16),
      updated_at: isoOf(epochMs('instruments.updated_at', i.updatedAt)),
    };
    this.l.transaction(() => this.st.upsertInstrument().run(params));
  }

  getInstrument(venue: VenueId, symbol: string): InstrumentRow | null {
    const r = this.st.getInstrument().get(venue, symbol) as Record<string, unknown> | undefined;
    return r ? toInstrument(r) : null;
  }
}
