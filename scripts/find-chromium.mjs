// Finds a Chromium for the browser tests: CHROMIUM_PATH, then Debian's /usr/bin/chromium, then
// Playwright's own download (which cannot be fetched on machines without internet access).
import { existsSync } from 'node:fs';

export async function findChromium() {
  const candidates = [];
  if (process.env.CHROMIUM_PATH) candidates.push(['CHROMIUM_PATH', process.env.CHROMIUM_PATH]);
  candidates.push(['system', '/usr/bin/chromium'], ['system', '/usr/bin/chromium-browser']);
  try {
    const { chromium } = await import('@playwright/test');
    candidates.push(['playwright', chromium.executablePath()]);
  } catch {
    // Playwright not installed: only the paths above count.
  }
  for (const [source, path] of candidates) if (path && existsSync(path)) return { source, path };
  return null;
}

export const INSTALL_HINT = [
  'No Chromium found for the end-to-end tests. Install one of:',
  '  - Debian/Ubuntu: sudo apt-get install -y chromium   (then it is found at /usr/bin/chromium)',
  '  - any Chromium/Chrome binary, then: export CHROMIUM_PATH=/path/to/chromium',
  '  - Playwright\'s own build (needs internet access): npx playwright install chromium',
].join('\n');
