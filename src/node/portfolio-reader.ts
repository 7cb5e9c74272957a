/**
 * Reads a portfolio file at the trust edge: only a regular file, at most `maxBytes`, and never a
 * read that can block: the file is opened non-blocking (a FIFO opens at once instead of waiting
 * for a writer) and checked with fstat on the opened descriptor (no race with a swapped path)
 * before a single byte is read. Errors name the path and what is wrong, never the file's content.
 */
import { constants, openSync, fstatSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Largest portfolio file read: 2 MiB, about 10,000 positions (the largest portfolio the spec
 * benchmarks). Loading one keeps every event-loop slice well under a second (bench
 * `portfolio-load`), so SIGTERM and other clients are served meanwhile.
 */
export const MAX_PORTFOLIO_BYTES = 2 * 1024 * 1024;

export type PortfolioRead = { ok: true; text: string } | { ok: false; message: string };

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why this file may not be read as a portfolio, or null when it may. */
export function refusal(path: string, st: Stats, maxBytes: number): string | null {
  if (st.isDirectory()) return `${path} is a folder, not a portfolio.json file`;
  if (!st.isFile()) return `portfolio file ${path} is ${kindOf(st)}; only a regular file is read`;
  if (st.size > maxBytes) return `portfolio file ${path} is ${st.size} bytes; the limit is ${maxBytes} bytes`;
  return null;
}

function openError(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return `no file at ${path} — check the path`;
  if (code === 'EACCES' || code === 'EPERM') return `portfolio file ${path} cannot be read: permission denied`;
  if (code === 'EISDIR') return `${path} is a folder, not a portfolio.json file`;
  return `portfolio file ${path} cannot be read (${code ?? 'error'})`;
}

/**
 * Checks a path before it is saved in the settings (a path that would freeze or flood the next
 * start is refused here, not discovered then). Never blocks on special files.
 */
export function checkPortfolioPath(path: string, maxBytes = MAX_PORTFOLIO_BYTES): string | null {
  try {
    return refusal(path, statSync(path), maxBytes);
  } catch (err) {
    return openError(path, err);
  }
}

/** Reads the file without blocking the event loop (libuv's thread pool), bounded by `maxBytes`. */
export async function readPortfolioFile(path: string, maxBytes = MAX_PORTFOLIO_BYTES): Promise<PortfolioRead> {
  let fh;
  try {
    fh = await open(path, FLAGS);
  } catch (err) {
    return { ok: false, message: openError(path, err) };
  }
  try {
    const bad = refusal(path, await fh.stat(), maxBytes);
    if (bad) return { ok: false, message: bad };
    // Read at most maxBytes + 1: a file that grew past the limit since fstat is still refused.
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > maxBytes) return { ok: false, message: `portfolio file ${path} is larger than the limit of ${maxBytes} bytes` };
    }
    return { ok: true, text: buf.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { ok: false, message: openError(path, err) };
  } finally {
    await fh.close().catch(() => {});
  }
}

/** The same checks, synchronously (the load at construction, before anything else runs). */
export function readPortfolioFileSync(path: string, maxBytes = MAX_PORTFOLIO_BYTES): PortfolioRead {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    return { ok: false, message: openError(path, err) };
  }
  try {
    const bad = refusal(path, fstatSync(fd), maxBytes);
    if (bad) return { ok: false, message: bad };
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > maxBytes) return { ok: false, message: `portfolio file ${path} is larger than the limit of ${maxBytes} bytes` };
    }
    return { ok: true, text: buf.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { ok: false, message: openError(path, err) };
  } finally {
    closeSync(fd);
  }
}
