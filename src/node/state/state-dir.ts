/**
 * Small JSON-ish state files in one directory (window state, shell settings, kill switch,
 * encrypted credentials). Writes are atomic (temp file + rename) and owner-only (0600), so a crash
 * mid-write never leaves half a file. A file that cannot be used is moved aside — never
 * overwritten — so nothing stored is lost.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StateFiles {
  /** The file's text, or null when it does not exist. */
  read(name: string): string | null;
  write(name: string, text: string): void;
  /** Moves an unusable file aside (keeps it) and returns its new name. */
  preserve(name: string, why: string): string;
  /** A path for messages (e.g. "~/.config/Live Desk/window-state.json"). */
  describe(name: string): string;
}

const SAFE_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export class StateDir implements StateFiles {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  read(name: string): string | null {
    try {
      return readFileSync(this.path(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Creates the directory owner-only (0700), and narrows it to 0700 when it already existed. */
  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  write(name: string, text: string): void {
    this.ensure();
    const target = this.path(name);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600); // mode is ignored when the file already existed
    renameSync(tmp, target);
  }

  preserve(name: string, why: string): string {
    const aside = `${name}.${why}-${this.now()}`;
    renameSync(this.path(name), this.path(aside));
    return aside;
  }

  describe(name: string): string {
    return this.path(name);
  }

  private path(name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error(`invalid state file name ${JSON.stringify(name)}`);
    return join(this.dir, name);
  }
}

/** An in-memory StateFiles, for tests. */
export class MemoryStateFiles implements StateFiles {
  readonly files = new Map<string, string>();

  read(name: string): string | null {
    return this.files.get(name) ?? null;
  }

  write(name: string, text: string): void {
    this.files.set(name, text);
  }

  preserve(name: string, why: string): string {
    const aside = `${name}.${why}`;
    const text = this.files.get(name);
    if (text !== undefined) this.files.set(aside, text);
    this.files.delete(name);
    return aside;
  }

  describe(name: string): string {
    return `memory:${name}`;
  }
}
