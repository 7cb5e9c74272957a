/** The kill switch's persistence as a JSON state file, validated on read. */
import { z } from 'zod';
import type { KillSwitchRecord, KillSwitchStore } from '../../core/ports/kill-switch-store';
import type { StateFiles } from './state-dir';

export const KILL_SWITCH_FILE = 'kill-switch.json';

const recordSchema = z
  .object({
    version: z.literal(1),
    entries: z.array(
      z.object({
        account: z.string().min(1),
        level: z.enum(['active', 'reducing', 'halted']),
        reason: z.string(),
        changedAt: z.number().int().nonnegative(),
      }),
    ),
  })
  .strict();

export class KillSwitchFileStore implements KillSwitchStore {
  constructor(private readonly files: StateFiles) {}

  load(): KillSwitchRecord | null {
    const text = this.files.read(KILL_SWITCH_FILE);
    if (text === null) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`${this.keep('unreadable')} is not valid JSON`);
    }
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`${this.keep('invalid')} is not a kill switch state (${where})`);
    }
    return parsed.data;
  }

  save(record: KillSwitchRecord): void {
    this.files.write(KILL_SWITCH_FILE, `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Moves the bad file aside so the next save does not destroy it; names where it went. */
  private keep(why: string): string {
    const aside = this.files.preserve(KILL_SWITCH_FILE, why);
    return `${this.files.describe(KILL_SWITCH_FILE)} (kept as ${aside})`;
  }
}
