/**
 * The application layer's command map: one handler per command of the contract
 * (`src/shared/contract.ts`), gathered from one module per domain (`handlers/<domain>.ts`).
 * `CommandHandlers` is a mapped type over `CommandName`, so a command added to the contract without
 * a handler is a type error here, not a runtime `unknown_command`.
 *
 * Handlers see only the narrow port of their domain (what the desk exposes for it), never the
 * `Desk` class: the desk is the composition root that builds these ports and this map.
 */
import type { CommandName, CommandPayload, CommandResult } from '../../shared/contract';
import { accountHandlers, type AccountsPort } from './handlers/accounts';
import { credentialHandlers, type CredentialsPort } from './handlers/credentials';
import { killSwitchHandlers, type KillSwitchPort } from './handlers/killswitch';
import { monitorHandlers, type MonitorPort } from './handlers/monitor';
import { strategyHandlers, type StrategyPort } from './handlers/strategy';
import { replayHandlers, type ReplayPort } from './handlers/replay';
import { orderHandlers, type OrdersPort } from './handlers/orders';
import { reconcileHandlers, type ReconcilePort } from './handlers/reconcile';
import { portfolioHandlers, type PortfolioPort } from './handlers/portfolio';
import { sessionHandlers, type SessionPort } from './handlers/session';
import { settingsHandlers, type SettingsPort } from './handlers/settings';
import { snapshotHandlers, type SnapshotPort } from './handlers/snapshot';
import { streamingHandlers, type StreamingPort } from './handlers/streaming';

export type CommandHandler<K extends CommandName> = (payload: CommandPayload<K>) => CommandResult<K> | Promise<CommandResult<K>>;

/** Handlers for a subset of the commands (what one domain module provides). */
export type HandlersFor<K extends CommandName> = { [P in K]: CommandHandler<P> };

/** Every command's handler: missing one does not compile. */
export type CommandHandlers = HandlersFor<CommandName>;

/** The ports each domain's handlers need, as the composition root provides them. */
export interface AppPorts {
  snapshot: SnapshotPort;
  streaming: StreamingPort;
  portfolio: PortfolioPort;
  settings: SettingsPort;
  killSwitch: KillSwitchPort;
  credentials: CredentialsPort;
  session: SessionPort;
  accounts: AccountsPort;
  reconcile: ReconcilePort;
  orders: OrdersPort;
  monitor: MonitorPort;
  strategy: StrategyPort;
  replay: ReplayPort;
}

export function buildCommandMap(ports: AppPorts): CommandHandlers {
  return {
    ...snapshotHandlers(ports.snapshot),
    ...streamingHandlers(ports.streaming),
    ...portfolioHandlers(ports.portfolio),
    ...settingsHandlers(ports.settings),
    ...killSwitchHandlers(ports.killSwitch),
    ...credentialHandlers(ports.credentials),
    ...sessionHandlers(ports.session),
    ...accountHandlers(ports.accounts),
    ...orderHandlers(ports.orders),
    ...reconcileHandlers(ports.reconcile),
    ...monitorHandlers(ports.monitor),
    ...strategyHandlers(ports.strategy),
    ...replayHandlers(ports.replay),
  };
}

/** Runs a validated command (the payload already passed `parseCommand` for `name`). */
export function runCommand<K extends CommandName>(handlers: CommandHandlers, name: K, payload: CommandPayload<K>): CommandResult<K> | Promise<CommandResult<K>> {
  return (handlers[name] as CommandHandler<K>)(payload);
}
