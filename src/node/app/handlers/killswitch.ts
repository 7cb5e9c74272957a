/** The graded kill switch (spec §2): read it; set a level for one account or `*` (loosening needs `rearm`). */
import type { KillSwitch } from '../../../core/risk/kill-switch';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

/**
 * The kill switch, and (optionally) the accounts the desk holds: a level set for an account the desk
 * does not hold is refused — a typo must not report "halted" while halting nothing.
 */
export type KillSwitchPort = Pick<KillSwitch, 'view' | 'set'> & { heldAccounts?: () => readonly string[] };

export function killSwitchHandlers(killSwitch: KillSwitchPort): HandlersFor<'killswitch.get' | 'killswitch.set'> {
  return {
    'killswitch.get': () => killSwitch.view(),
    'killswitch.set': (p) => {
      const held = killSwitch.heldAccounts?.();
      if (held && p.account !== '*' && !held.includes(p.account)) {
        throw new CommandFailure({ code: 'failed', message: `killswitch.set: the desk holds no account "${p.account}" (it holds ${held.map((a) => `"${a}"`).join(', ')}; "*" is every account)` });
      }
      const r = killSwitch.set(p.account, p.level, { reason: p.reason, rearm: p.rearm });
      return { killSwitch: r.view, changed: r.change !== null, persisted: r.persisted };
    },
  };
}
