/**
 * Serves the built renderer on app://desk/ instead of file:// (Electron's security guide, item
 * 18): a file:// page can read any local file it can name, and a custom standard scheme gives
 * our pages a real origin for CSP 'self'. Only files under the renderer directory are served; the
 * CSP goes out with every response.
 */
import { extname, normalize, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export type AppRequestResolution = { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404 | 405 };

export function resolveAppRequest(url: string, method: string, rootDir: string): AppRequestResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { ok: false, status: 404 };
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400 };
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = resolve(rootDir);
  const file = normalize(resolve(root, `.${pathname}`));
  if (file !== root && !file.startsWith(root + sep)) return { ok: false, status: 403 };
  const mime = MIME[extname(file).toLowerCase()];
  if (!mime) return { ok: false, status: 404 };
  return { ok: true, file, mime };
}

export interface AppProtocolDeps {
  rootDir: string;
  csp: string;
  readFile(path: string): Promise<Uint8Array>;
}

/** The handler for `protocol.handle('app', …)`. */
export function createAppProtocolHandler(deps: AppProtocolDeps): (request: { url: string; method: string }) => Promise<Response> {
  const security = { 'Content-Security-Policy': deps.csp, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  return async (request) => {
    const r = resolveAppRequest(request.url, request.method, deps.rootDir);
    if (!r.ok) return new Response(null, { status: r.status, headers: security });
    let body: Uint8Array;
    try {
      body = await deps.readFile(r.file);
    } catch {
      return new Response(null, { status: 404, headers: security });
    }
    return new Response(request.method === 'HEAD' ? null : (body as ConstructorParameters<typeof Response>[0]), { status: 200, headers: { ...security, 'Content-Type': r.mime } });
  };
}
