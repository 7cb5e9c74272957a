/** Command-line options of the headless desk, validated with clear errors. */
export interface HeadlessCliOptions {
  headless: boolean;
  host: string;
  port: number;
  token: string | undefined;
  /** UNSAFE: no access token (loopback only). */
  unsafeNoToken: boolean;
  /** Extra Host names the desk answers to (e.g. a reverse proxy's), besides loopback and the bound host. */
  allowHosts: string[];
  seed: number;
}

export const DEFAULT_PORT = 4780;

export class CliError extends Error {}

export function parseCliArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): HeadlessCliOptions {
  const opts: HeadlessCliOptions = {
    headless: false,
    host: env.LIVE_DESK_HOST ?? '127.0.0.1',
    port: env.LIVE_DESK_PORT !== undefined ? parsePort(env.LIVE_DESK_PORT, 'LIVE_DESK_PORT') : DEFAULT_PORT,
    token: env.LIVE_DESK_TOKEN,
    unsafeNoToken: false,
    allowHosts: [],
    seed: 42,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CliError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--headless':
        opts.headless = true;
        break;
      case '--host':
        opts.host = value();
        break;
      case '--port':
        opts.port = parsePort(value(), '--port');
        break;
      case '--token':
        opts.token = value();
        break;
      case '--allow-host': {
        const v = value().toLowerCase();
        if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(v)) throw new CliError(`--allow-host must be a host name or address, got ${JSON.stringify(v)}`);
        opts.allowHosts.push(v);
        break;
      }
      case '--unsafe-no-token':
        opts.unsafeNoToken = true;
        break;
      case '--seed': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new CliError(`--seed must be a non-negative integer, got ${JSON.stringify(v)}`);
        opts.seed = Number(v);
        break;
      }
      default:
        throw new CliError(`unknown option ${JSON.stringify(arg)} (options: --headless, --host H, --port N, --token T, --allow-host NAME, --unsafe-no-token, --seed N)`);
    }
  }
  if (opts.token !== undefined && opts.token.length < 16) throw new CliError('--token must be at least 16 characters');
  if (opts.unsafeNoToken && !isLoopbackHost(opts.host)) {
    throw new CliError(`--unsafe-no-token is refused when bound to ${opts.host} (not loopback): anyone who can reach the port could drive the desk`);
  }
  if (opts.unsafeNoToken && opts.token !== undefined) throw new CliError('--unsafe-no-token and --token/LIVE_DESK_TOKEN exclude each other');
  return opts;
}

function parsePort(v: string, where: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new CliError(`${where} must be a port number 0-65535, got ${JSON.stringify(v)}`);
  return Number(v);
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
