/** The graded kill switch (spec §2): read it; set a level for one account or `*` (loosening needs `rearm`). */
import type { KillSwitch } from '../../../core/risk/kill-switch';
import type { HandlersFor } from '../commands';

export type KillSwitchPort = Pick<KillSwitch, 'view' | 'set'>;

export function killSwitchHandlers(killSwitch: KillSwitchPort): HandlersFor<'killswitch.get' | 'killswitch.set'> {
  return {
    'killswitch.get': () => killSwitch.view(),
    'killswitch.set': (p) => {
      const r = killSwitch.set(p.account, p.level, { reason: p.reason, rearm: p.rearm });
      return { killSwitch: r.view, changed: r.change !== null, persisted: r.persisted };
    },
  };
}
