import { describe, expect, it } from 'vitest';
import { createAppProtocolHandler, resolveAppRequest } from '../../../src/main/app-protocol';

const root = '/app/out/renderer';

describe('app:// protocol', () => {
  it('maps our URLs to files under the renderer directory', () => {
    expect(resolveAppRequest('app://desk/index.html', 'GET', root)).toEqual({ ok: true, file: '/app/out/renderer/index.html', mime: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('app://desk/', 'GET', root)).toMatchObject({ ok: true, file: '/app/out/renderer/index.html' });
    expect(resolveAppRequest('app://desk/assets/index-abc.js?x=1', 'GET', root)).toMatchObject({ ok: true, file: '/app/out/renderer/assets/index-abc.js' });
  });

  it('refuses traversal, other hosts, unknown types and non-GET methods', () => {
    expect(resolveAppRequest('app://desk/../../etc/passwd', 'GET', root)).toEqual({ ok: false, status: 404 }); // URL parsing already drops the ..
    // the URL parser resolves dot segments (also encoded ones) first: the file stays under the root
    expect(resolveAppRequest('app://desk/%2e%2e/%2e%2e/etc/passwd.json', 'GET', root)).toMatchObject({ ok: true, file: '/app/out/renderer/etc/passwd.json' });
    // encoded slashes survive URL parsing and are caught after decoding

    expect(resolveAppRequest('app://desk/..%2f..%2fsecret.json', 'GET', root)).toEqual({ ok: false, status: 403 });
    expect(resolveAppRequest('app://other/index.html', 'GET', root)).toEqual({ ok: false, status: 404 });
    expect(resolveAppRequest('app://desk/index.html', 'POST', root)).toEqual({ ok: false, status: 405 });
    expect(resolveAppRequest('app://desk/%E0%A4%A', 'GET', root)).toEqual({ ok: false, status: 400 });
    expect(resolveAppRequest('app://desk/a%00.js', 'GET', root)).toEqual({ ok: false, status: 400 });
    expect(resolveAppRequest('app://desk/data.sqlite', 'GET', root)).toEqual({ ok: false, status: 404 });
  });

  it('responds with the file, its type and the CSP; 404 when missing', async () => {
    const files: Record<string, string> = { '/app/out/renderer/index.html': '<!doctype html>' };
    const handler = createAppProtocolHandler({
      rootDir: root,
      csp: "default-src 'none'",
      readFile: async (p) => {
        if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return new TextEncoder().encode(files[p]);
      },
    });
    const ok = await handler({ url: 'app://desk/index.html', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(await ok.text()).toBe('<!doctype html>');
    const missing = await handler({ url: 'app://desk/nope.js', method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe("default-src 'none'");
  });

  it('the shell registers it on startup', async () => {
    const { boot } = await import('./boot');
    const { facade } = await boot();
    const r = await facade.appProtocol!({ url: 'app://desk/../x', method: 'DELETE' });
    expect(r.status).toBe(405);
  });
});
