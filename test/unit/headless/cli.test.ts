import { describe, expect, it } from 'vitest';
import { parseCliArgs, DEFAULT_PORT } from '../../../src/headless/cli';

describe('parseCliArgs', () => {
  it('defaults to loopback on the default port', () => {
    expect(parseCliArgs([])).toMatchObject({ host: '127.0.0.1', port: DEFAULT_PORT, headless: false });
  });

  it('reads --headless, --port, --host (both forms) and env', () => {
    expect(parseCliArgs(['--headless', '--port', '0', '--host=0.0.0.0'])).toMatchObject({ headless: true, port: 0, host: '0.0.0.0' });
    expect(parseCliArgs([], { LIVE_DESK_PORT: '5000' }).port).toBe(5000);
  });

  it('names what is wrong', () => {
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(/--port must be a port number/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--port'])).toThrow(/--port needs a value/);
    expect(() => parseCliArgs(['--bogus'])).toThrow(/unknown option "--bogus"/);
    expect(() => parseCliArgs(['--token', 'short'])).toThrow(/at least 16/);
  });

  it('--unsafe-no-token is loopback-only and excludes a token; --allow-host adds Host names (issue 13)', () => {
    expect(parseCliArgs(['--unsafe-no-token'])).toMatchObject({ unsafeNoToken: true });
    expect(() => parseCliArgs(['--unsafe-no-token', '--host', '0.0.0.0'])).toThrow(/refused when bound to 0\.0\.0\.0 \(not loopback\)/);
    expect(() => parseCliArgs(['--unsafe-no-token'], { LIVE_DESK_TOKEN: 'a-long-enough-token-1234' })).toThrow(/exclude each other/);
    expect(parseCliArgs(['--allow-host', 'Desk.LAN', '--allow-host=[::2]']).allowHosts).toEqual(['desk.lan', '[::2]']);
    expect(() => parseCliArgs(['--allow-host', 'evil/x'])).toThrow(/--allow-host must be a host name/);
  });
});
