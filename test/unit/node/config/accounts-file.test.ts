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
          { id: 'd', label: 'D', venue: 'smartapi', mode: 'LIVE' },
          { id: 'has space', label: 'E', venue: 'sim', mode: 'SIM' },
        ],
      }),
    );
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    expect(at('$.accounts[0].mode')).toMatch(/must be "SIM" for a simulated account/);
    expect(at('$.accounts[1].id')).toMatch(/"default" is the configured venue's own account/);
    expect(at('$.accounts[2]')).toMatch(/extra/);
    expect(at('$.accounts[3].venue')).toMatch(/must be "sim" or "alpaca"/);
    expect(at('$.accounts[4].id')).toMatch(/is not an account id/);
    // Duplicate ids are found once the entries are valid on their own.
    const dup = problems(JSON.stringify({ version: 1, accounts: [{ id: 'x', label: 'X', venue: 'sim', mode: 'SIM' }, { id: 'x', label: 'Y', venue: 'sim', mode: 'SIM' }] }));
    expect(dup).toEqual([{ path: '$.accounts[1].id', message: expect.stringMatching(/repeats the id of account 1/) }]);
  });

  it('refuses text that is not JSON, or the wrong version', () => {
    expect(problems('{ nope')[0]!.path).toBe('$');
    expect(problems(JSON.stringify({ version: 2, accounts: [] }))).toEqual([{ path: '$.version', message: expect.stringMatching(/must be 1/) }]);
  });

  it('holds no extra accounts when there is no file', () => {
    expect(loadAccountsFile({ read: () => null, write: () => undefined, preserve: () => '', describe: (n) => n })).toEqual([]);
  });
});
