/**
 * The window's security posture in one place (docs/electron-security.md maps each item of
 * Electron's security checklist here): web preferences, the content security policy, the request
 * filter that keeps remote content out, permission denial, navigation/new-window/webview guards,
 * and the IPC sender check.
 */
import type { WebPreferences } from 'electron';
import type { Logger } from '../core/ports/logger';
import type { FrameLike, GuardableContents, SessionLike } from './facade';

/** Our own renderer is served from this privileged custom scheme (never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Where our renderer may come from: the app scheme, plus the dev server in development only. */
export interface TrustedOrigins {
  /** e.g. "http://localhost:5173" — only when not packaged and ELECTRON_RENDERER_URL is loopback. */
  devServer: string | null;
}

/** Accepts ELECTRON_RENDERER_URL only unpackaged and only on loopback http. */
export function devServerOrigin(isPackaged: boolean, rendererUrl: string | undefined): string | null {
  if (isPackaged || !rendererUrl) return null;
  let u: URL;
  try {
    u = new URL(rendererUrl);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return null;
  return u.origin;
}

/** Node's URL gives "null" as the origin of non-special schemes, so app:// is compared by parts. */
export function isTrustedUrl(url: string, origins: TrustedOrigins): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === `${APP_SCHEME}:`) return u.host === APP_HOST && u.username === '' && u.password === '';
  return origins.devServer !== null && u.origin === origins.devServer;
}

export function secureWebPreferences(preload: string, opts: { devTools: boolean }): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
    // enableBlinkFeatures is deliberately never set.
  };
}

/**
 * The CSP sent with every response of our renderer. Production allows only our own scripts;
 * development adds the dev server (HTTP + its HMR WebSocket) and inline script for Vite's React
 * refresh preamble. Inline styles are allowed because Mantine sets style attributes and tags.
 */
export function contentSecurityPolicy(origins: TrustedOrigins): string {
  const dev = origins.devServer;
  return [
    "default-src 'none'",
    dev ? `script-src 'self' 'unsafe-inline' ${dev}` : "script-src 'self'",
    dev ? `style-src 'self' 'unsafe-inline' ${dev}` : "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    dev ? `connect-src 'self' ${dev} ${dev.replace(/^http/, 'ws')}` : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Schemes the renderer may load besides our origins (inline images, devtools in development). */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'devtools:']);

/** Whether a request may leave the renderer at all: no remote content, ever. */
export function isAllowedRequest(url: string, origins: TrustedOrigins): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (LOCAL_SCHEMES.has(u.protocol)) return true;
  if (isTrustedUrl(url, origins)) return true;
  // The dev server's HMR socket.
  return origins.devServer !== null && u.protocol === 'ws:' && `http://${u.host}` === origins.devServer;
}

/** Replaces any CSP a response carried with ours (header names are case-insensitive). */
export function withCsp(headers: Record<string, string | string[]> | undefined, csp: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  out['Content-Security-Policy'] = [csp];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/** Session-wide guards: deny every permission, block non-app requests, add the CSP. */
export function installSessionGuards(session: SessionLike, origins: TrustedOrigins, logger: Logger): void {
  const csp = contentSecurityPolicy(origins);
  session.setPermissionRequestHandler((permission, callback) => {
    logger.warn('permission request denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  const reported = new Set<string>();
  session.onBeforeRequest((details, callback) => {
    if (isAllowedRequest(details.url, origins)) {
      callback({});
      return;
    }
    const origin = safeOrigin(details.url);
    if (!reported.has(origin)) {
      reported.add(origin);
      logger.warn('blocked a request for remote content', { origin, resourceType: details.resourceType });
    }
    callback({ cancel: true });
  });
  session.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
}

/** Applied to every webContents the app creates: no navigation, no new windows, no webviews. */
export function hardenWebContents(contents: GuardableContents, logger: Logger): void {
  contents.setWindowOpenHandler((details) => {
    // Not even shell.openExternal: a link from page content is untrusted input.
    logger.warn('window.open denied', { origin: safeOrigin(details.url) });
    return { action: 'deny' };
  });
  contents.onNavigation((kind, url, prevent) => {
    prevent();
    logger.warn('navigation denied', { kind, origin: safeOrigin(url) });
  });
  contents.onAttachWebview((prevent) => {
    prevent();
    logger.warn('webview denied');
  });
}

/**
 * An IPC message is ours only if it comes from the main frame (no parent) of our window — same
 * process and routing id — and that frame shows our renderer (app:// or the dev server).
 */
export function isTrustedSender(frame: FrameLike | null, main: FrameLike | null, origins: TrustedOrigins): boolean {
  if (frame === null || main === null) return false;
  if (frame.parent !== null) return false;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isTrustedUrl(frame.url, origins);
}

/** For logs: the origin only (a full URL could carry query data). */
export function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return u.origin !== 'null' ? u.origin : `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid url)';
  }
}
