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
});
