import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  contentSecurityPolicy,
  devServerOrigin,
  hardenWebContents,
  isAllowedRequest,
  isTrustedSender,
  isTrustedUrl,
  secureWebPreferences,
  withCsp,
} from '../../../src/main/security';
import { boot } from './boot';
import { captureLogger, FakeContents, FakeFrame } from './fake-electron';

const prod = { devServer: null };
const dev = { devServer: 'http://localhost:5173' };

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]));
}

describe('window options', () => {
  it('are the secure set: isolation, sandbox, no node, web security, nothing experimental', async () => {
    const { win } = await boot();
    const o = win.options;
    expect(o.show).toBe(false);
    expect(o.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
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
      devTools: true,
    });
    expect('enableBlinkFeatures' in o.webPreferences!).toBe(false);
    expect(win.loadedUrl).toBe(APP_ENTRY_URL);
  });

  it('disable devtools in a packaged build and ignore a renderer URL there', async () => {
    const { win } = await boot((f) => (f.app.isPackaged = true), { rendererUrl: 'http://localhost:5173' });
    expect(win.options.webPreferences?.devTools).toBe(false);
    expect(win.loadedUrl).toBe(APP_ENTRY_URL);
    expect(secureWebPreferences('/p', { devTools: false }).sandbox).toBe(true);
  });
});

describe('content security policy', () => {
  it('production: only our own scripts, nothing remote, no plugins, no framing, no forms', () => {
    const d = directives(contentSecurityPolicy(prod));
    expect(d.get('default-src')).toBe("'none'");
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('object-src')).toBe("'none'");
    expect(d.get('base-uri')).toBe("'none'");
    expect(d.get('frame-ancestors')).toBe("'none'");
    expect(d.get('form-action')).toBe("'none'");
    expect(contentSecurityPolicy(prod)).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(d.get('script-src')).not.toContain('unsafe-inline');
  });

  it('development adds only the loopback dev server and its HMR socket', () => {
    const d = directives(contentSecurityPolicy(dev));
    expect(d.get('connect-src')).toBe("'self' http://localhost:5173 ws://localhost:5173");
    expect(contentSecurityPolicy(dev)).not.toContain('unsafe-eval');
  });

  it('is put on every response, replacing any CSP the response carried', async () => {
    const { facade } = await boot();
    const r = facade.session.headers('app://desk/index.html', { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] });
    expect(r.responseHeaders).toEqual({
      'X-Other': ['1'],
      'Content-Security-Policy': [contentSecurityPolicy(prod)],
      'X-Content-Type-Options': ['nosniff'],
    });
    expect(withCsp(undefined, 'x')['Content-Security-Policy']).toEqual(['x']);
  });
});

describe('no remote content', () => {
  it('lets through only app://desk, data/blob and (in dev) the loopback dev server', () => {
    expect(isAllowedRequest('app://desk/assets/index.js', prod)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA', prod)).toBe(true);
    expect(isAllowedRequest('https://cdn.example.com/lib.js', prod)).toBe(false);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', prod)).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd', prod)).toBe(false);
    expect(isAllowedRequest('app://other/index.html', prod)).toBe(false);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:9999/', dev)).toBe(false);
  });

  it('the session cancels remote requests and logs each origin once', async () => {
    const { facade, logger } = await boot();
    expect(facade.session.request('app://desk/index.html')).toEqual({});
    expect(facade.session.request('https://evil.example/a.js')).toEqual({ cancel: true });
    expect(facade.session.request('https://evil.example/b.js?token=abc')).toEqual({ cancel: true });
    const blocked = logger.lines.filter((l) => l.msg === 'blocked a request for remote content');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.fields).toEqual({ origin: 'https://evil.example', resourceType: 'script' });
  });

  it('accepts a dev server only unpackaged and on loopback http', () => {
    expect(devServerOrigin(false, 'http://localhost:5173/')).toBe('http://localhost:5173');
    expect(devServerOrigin(false, 'http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(devServerOrigin(true, 'http://localhost:5173/')).toBeNull();
    expect(devServerOrigin(false, 'http://192.168.1.5:5173/')).toBeNull();
    expect(devServerOrigin(false, 'https://example.com/')).toBeNull();
    expect(devServerOrigin(false, 'not a url')).toBeNull();
  });
});

describe('permissions, navigation, new windows, webviews', () => {
  it('denies every permission request and check', async () => {
    const { facade } = await boot();
    for (const p of ['notifications', 'media', 'geolocation', 'openExternal', 'clipboard-read']) {
      let granted: boolean | null = null;
      facade.session.permissionRequest!(p, (g) => (granted = g));
      expect(granted).toBe(false);
      expect(facade.session.permissionCheck!(p)).toBe(false);
    }
  });

  it('every webContents created gets the guards: navigation, window.open and webviews denied', async () => {
    const { facade, logger } = await boot();
    const contents = new FakeContents();
    for (const l of facade.app.contentsCreated) l(contents);
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    for (const kind of ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const) {
      let prevented = false;
      contents.navigation!(kind, 'https://evil.example/phish', () => (prevented = true));
      expect(prevented).toBe(true);
    }
    let webview = false;
    contents.webview!(() => (webview = true));
    expect(webview).toBe(true);
    expect(logger.text()).not.toContain('/phish');
  });

  it('hardenWebContents can be applied directly', () => {
    const c = new FakeContents();
    hardenWebContents(c, captureLogger());
    expect(c.openHandler!({ url: 'app://desk/x' })).toEqual({ action: 'deny' });
  });
});

describe('IPC sender check', () => {
  const main = new FakeFrame('app://desk/index.html', 7, 1);
  it('accepts only our window main frame showing our renderer', () => {
    expect(isTrustedSender(main, main, prod)).toBe(true);
    expect(isTrustedSender(null, main, prod)).toBe(false);
    expect(isTrustedSender(main, null, prod)).toBe(false);
    expect(isTrustedSender(new FakeFrame('app://desk/index.html', 7, 2, main), main, prod)).toBe(false); // subframe
    expect(isTrustedSender(new FakeFrame('app://desk/index.html', 8, 1), main, prod)).toBe(false); // another window
    const navigatedAway = new FakeFrame('https://evil.example/', 7, 1);
    expect(isTrustedSender(navigatedAway, navigatedAway, prod)).toBe(false);
    const file = new FakeFrame('file:///app/out/renderer/index.html', 7, 1);
    expect(isTrustedSender(file, file, prod)).toBe(false);
  });

  it('compares app:// by parts (Node gives such URLs a "null" origin)', () => {
    expect(isTrustedUrl('app://desk/index.html#/events', prod)).toBe(true);
    expect(isTrustedUrl('app://user:pw@desk/index.html', prod)).toBe(false);
    expect(isTrustedUrl('app://desk.evil/index.html', prod)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', prod)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', dev)).toBe(true);
  });
});
