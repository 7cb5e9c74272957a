/**
 * The kill switch's changes as events and alerts: every change is a `killswitch_event` on the bus
 * (with the switch's whole view) and an alert (critical when halted, else a warning; a re-arm says so).
 */
import { ALL_ACCOUNTS, type KillSwitch, type KillSwitchChange, type KillSwitchLevel } from '../../core/risk/kill-switch';
import type { AlertMonitor } from '../../core/alerts/alert-monitor';
import type { DeskEventPort } from './event-bus';

/** Announces each change of `killSwitch` on `bus` and through the alert monitor (read when a change comes). */
export function announceKillSwitchChanges(killSwitch: KillSwitch, bus: Pick<DeskEventPort, 'publish'>, alerts: () => Pick<AlertMonitor, 'raise'>): () => void {
  return killSwitch.onChange((change: KillSwitchChange) => {
    bus.publish({
      type: 'killswitch_event',
      serverTime: change.at,
      killSwitch: killSwitch.view(),
      change: { account: change.account, from: change.from, to: change.to, reason: change.reason, rearm: change.rearm },
    });
    const scope = change.account === ALL_ACCOUNTS ? 'all accounts' : `account ${change.account}`;
    const what: Record<KillSwitchLevel, string> = { halted: 'halted', reducing: 'reducing only', active: 'active' };
    alerts().raise({
      severity: change.to === 'halted' ? 'critical' : 'warning',
      kind: 'kill_switch',
      subject: change.account,
      title: change.rearm ? `Automation re-armed: ${scope} ${what[change.to]}` : `Automation ${what[change.to]}: ${scope}`,
      body: change.reason,
    });
  });
}
