// Issue 15 item 1: the accounts file is validated at the trust edge; every problem names the file and the field.
import { describe, expect, it } from 'vitest';
import { AccountsFileError, loadAccountsFile, parseAccountsFile } from '../../../../src/node/config/accounts-file';

const FILE = '/state/accounts.json';

function problems(text: string): { path: string; message: string }[] {
  try {
    parseAccountsFile(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(AccountsFileError);
    expect((err as Error).message).toContain(`accounts file ${FILE}: `);
    return (err as AccountsFileError).issues;
  }
  throw new Error('expected the file to be refused');
}

describe('accounts file', () => {
  it('reads sim and alpaca accounts (credentials and venue name defaulted)', () => {
    const accounts = parseAccountsFile(
      JSON.stringify({
        version: 1,
        accounts: [
          { id: 'sim2', label: 'Second simulator', venue: 'sim', mode: 'SIM', venue_name: 'sim2' },
          { id: 'alpaca-paper', label: 'Alpaca paper', venue: 'alpaca', mode: 'PAPER' },
        ],
      }),
      FILE,
    );
    expect(accounts).toEqual([
      { id: 'sim2', label: 'Second simulator', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim2' },
      { id: 'alpaca-paper', label: 'Alpaca paper', venue: 'alpaca', mode: 'PAPER', credentialsRef: { venue: 'alpaca' } },
    ]);
  });

  it('names every problem by its JSON path, all at once', () => {
    const issues = problems(
      JSON.stringify({
        version: 1,
        accounts: [
          { id: 'a', label: 'A', venue: 'sim', mode: 'PAPER' },
          { id: 'default', label: 'B', venue: 'alpaca', mode: 'PAPER' },
          { id: 'a', label: 'C', venue: 'alpaca', mode: 'LIVE', extra: 1 },
          { id: 'd', label: 'D', venue: 'ibkr', mode: 'LIVE' },
          { id: 'has space', label: 'E', venue: 'sim', mode: 'SIM' },
        ],
      }),
    );
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    expect(at('$.accounts[0].mode')).toMatch(/must be "SIM" for a simulated account/);
    expect(at('$.accounts[1].id')).toMatch(/"default" is the configured venue's own account/);
    expect(at('$.accounts[2]')).toMatch(/extra/);
    expect(at('$.accounts[3].venue')).toMatch(/must be "sim", "alpaca", "smartapi" or "delta"/);
    expect(at('$.accounts[4].id')).toMatch(/is not an account id/);
    // Duplicate ids are found once the entries are valid on their own.
    const dup = problems(JSON.stringify({ version: 1, accounts: [{ id: 'x', label: 'X', venue: 'sim', mode: 'SIM', venue_name: 'sim-x' }, { id: 'x', label: 'Y', venue: 'sim', mode: 'SIM', venue_name: 'sim-y' }] }));
    expect(dup).toEqual([{ path: '$.accounts[1].id', message: expect.stringMatching(/repeats the id of account 1/) }]);
  });

  // Issue 17 item 5 changed this: simulated accounts may share a venue name (one server, one key and
  // book each), "sim" included; before, each simulated account needed a name of its own.
  it('a venue name is one venue: shared by accounts of its kind (simulated ones too), never another kind\'s; the id "venue" is reserved (review of issue 15)', () => {
    const sim = (id: string, venue_name?: string) => ({ id, label: id, venue: 'sim', mode: 'SIM', ...(venue_name ? { venue_name } : {}) });
    const alpaca = (id: string, venue_name?: string) => ({ id, label: id, venue: 'alpaca', mode: 'PAPER', ...(venue_name ? { venue_name } : {}) });
    const issues = problems(JSON.stringify({ version: 1, accounts: [sim('b'), sim('c', 'sim2'), sim('d', 'sim2'), alpaca('e', 'sim3'), sim('f', 'alpaca'), alpaca('g', 'sim'), sim('venue', 'sim9'), sim('h', 'sim3')] }));
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    expect(at('$.accounts[0].venue_name')).toBe(''); // shares the default account's simulated venue
    expect(at('$.accounts[1].venue_name')).toBe('');
    expect(at('$.accounts[2].venue_name')).toBe(''); // shares sim2 with account 2
    expect(at('$.accounts[7].venue_name')).toMatch(/"sim3" is already the venue of account 4 \(a alpaca venue\): one name is one venue/);
    expect(at('$.accounts[4].venue_name')).toMatch(/"alpaca" names the alpaca venue; a sim account cannot use it/);
    expect(at('$.accounts[5].venue_name')).toMatch(/"sim" names the sim venue; a alpaca account cannot use it/);
    expect(at('$.accounts[6].id')).toMatch(/"venue" is reserved/);
    // Accounts of one real venue share its market data under one name; a sim name is not theirs.
    expect(parseAccountsFile(JSON.stringify({ version: 1, accounts: [alpaca('p1'), alpaca('p2'), alpaca('p3', 'alpaca')] }), 'accounts.json').map((a) => a.id)).toEqual(['p1', 'p2', 'p3']);
    expect(at('$.accounts[3].venue_name')).toBe('');
  });

  // Issues 19/20: SmartAPI and Delta accounts; mode SIM is the simulated venue's NSE / crypto face.
  it('reads SmartAPI and Delta accounts: SIM ones on the simulated faces (sim-nse, sim-delta) with no credentials, the others with their stored ones', () => {
    const accounts = parseAccountsFile(
      JSON.stringify({
        version: 1,
        accounts: [
          { id: 'nse-sim', label: 'NSE sim', venue: 'smartapi', mode: 'SIM' },
          { id: 'angel', label: 'Angel', venue: 'smartapi', mode: 'LIVE' },
          { id: 'btc-sim', label: 'BTC sim', venue: 'delta', mode: 'SIM' },
          { id: 'delta-test', label: 'Delta testnet', venue: 'delta', mode: 'PAPER', credentials: 'delta' },
        ],
      }),
      FILE,
    );
    expect(accounts).toEqual([
      { id: 'nse-sim', label: 'NSE sim', venue: 'smartapi', mode: 'SIM', credentialsRef: null, venueName: 'sim-nse' },
      { id: 'angel', label: 'Angel', venue: 'smartapi', mode: 'LIVE', credentialsRef: { venue: 'smartapi' } },
      { id: 'btc-sim', label: 'BTC sim', venue: 'delta', mode: 'SIM', credentialsRef: null, venueName: 'sim-delta' },
      { id: 'delta-test', label: 'Delta testnet', venue: 'delta', mode: 'PAPER', credentialsRef: { venue: 'delta' } },
    ]);
    const issues = problems(
      JSON.stringify({
        version: 1,
        accounts: [
          { id: 'a', label: 'A', venue: 'smartapi', mode: 'PAPER' },
          { id: 'b', label: 'B', venue: 'delta', mode: 'LIVE', credentials: 'alpaca' },
        ],
      }),
    );
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    expect(at('$.accounts[0].mode')).toMatch(/"SIM" \(the simulated NSE venue\) or "LIVE" for a SmartAPI account/);
    expect(at('$.accounts[1].credentials')).toMatch(/must be "delta"/);
    // Venue names are checked once every entry is valid on its own.
    const names = problems(
      JSON.stringify({
        version: 1,
        accounts: [
          { id: 'a', label: 'A', venue: 'smartapi', mode: 'SIM' },
          { id: 'b', label: 'B', venue: 'smartapi', mode: 'SIM', venue_name: 'sim-nse' },
          // A simulated face's account cannot take the broker's own venue name, nor a broker account the face's.
          { id: 'c', label: 'C', venue: 'smartapi', mode: 'SIM', venue_name: 'smartapi' },
          { id: 'd', label: 'D', venue: 'smartapi', mode: 'LIVE', venue_name: 'sim-nse' },
          { id: 'e', label: 'E', venue: 'delta', mode: 'SIM', venue_name: 'sim-nse' },
        ],
      }),
    );
    const named = (path: string) => names.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    expect(named('$.accounts[1].venue_name')).toBe(''); // two simulated NSE accounts share the face
    expect(named('$.accounts[2].venue_name')).toMatch(/"smartapi" names the smartapi venue; a smartapi \(simulated\) account cannot use it/);
    expect(named('$.accounts[3].venue_name')).toMatch(/"sim-nse" names the smartapi \(simulated\) venue; a smartapi account cannot use it/);
    expect(named('$.accounts[4].venue_name')).toMatch(/"sim-nse" names the smartapi \(simulated\) venue; a delta \(simulated\) account cannot use it/);
  });

  it('refuses text that is not JSON, or the wrong version', () => {
    expect(problems('{ nope')[0]!.path).toBe('$');
    expect(problems(JSON.stringify({ version: 2, accounts: [] }))).toEqual([{ path: '$.version', message: expect.stringMatching(/must be 1/) }]);
  });

  it('holds no extra accounts when there is no file', () => {
    expect(loadAccountsFile({ read: () => null, write: () => undefined, preserve: () => '', describe: (n) => n })).toEqual([]);
  });
});
