/**
 * The IPC bridge between our renderer and the desk. Every message is checked twice before the
 * desk sees it: its sender (our window's main frame, showing our renderer) and its payload (the
 * contract's zod schemas through `parseCommand`). Refusals are logged with the channel, the
 * sender's origin and the command name — never the payload, which may hold credentials.
 */
import type { Logger } from '../core/ports/logger';
import { parseCommand, type CommandOutcome, type DeskEvent, type NavigationRequest } from '../shared/contract';
import { IPC } from '../shared/electron-ipc';
import type { FrameLike, IpcMainLike } from './facade';
import { safeOrigin } from './security';

export interface IpcBridgeDeps {
  ipc: IpcMainLike;
  isTrustedSender(frame: FrameLike | null): boolean;
  handleCommand(name: string, payload: unknown): Promise<CommandOutcome>;
  snapshotEvent(): DeskEvent;
  /** Sends to our window's renderer (no-op when there is no window). */
  sendToRenderer(channel: string, payload: unknown): void;
  logger: Logger;
}

export interface IpcBridge {
  forward(event: DeskEvent): void;
  navigate(request: NavigationRequest): void;
  dispose(): void;
}

const UNAUTHORIZED: CommandOutcome = { ok: false, error: { code: 'unauthorized', message: 'unexpected sender' } };

function commandLabel(name: unknown): string {
  return typeof name === 'string' ? name.slice(0, 64) : `(${typeof name})`;
}

export function registerIpc(deps: IpcBridgeDeps): IpcBridge {
  const { ipc, logger } = deps;

  ipc.handle(IPC.command, async (event, ...args) => {
    if (!deps.isTrustedSender(event.senderFrame)) {
      logger.warn('ipc refused: unexpected sender', { channel: IPC.command, origin: event.senderFrame ? safeOrigin(event.senderFrame.url) : '(no frame)' });
      return UNAUTHORIZED;
    }
    if (args.length < 1 || args.length > 2) {
      logger.warn('ipc refused: bad arguments', { channel: IPC.command, count: args.length });
      return { ok: false, error: { code: 'invalid_payload', message: 'expected (name, payload)' } } satisfies CommandOutcome;
    }
    const [name, payload] = args;
    const parsed = parseCommand(name, payload);
    if (!parsed.ok) {
      logger.warn('ipc refused: invalid command', { name: commandLabel(name), code: parsed.error.code, issues: parsed.error.issues?.map((i) => i.path) });
      return { ok: false, error: parsed.error } satisfies CommandOutcome;
    }
    return deps.handleCommand(parsed.name, parsed.payload);
  });

  ipc.on(IPC.resync, (event, ...args) => {
    if (!deps.isTrustedSender(event.senderFrame)) {
      logger.warn('ipc refused: unexpected sender', { channel: IPC.resync, origin: event.senderFrame ? safeOrigin(event.senderFrame.url) : '(no frame)' });
      return;
    }
    if (args.length !== 0) {
      logger.warn('ipc refused: bad arguments', { channel: IPC.resync, count: args.length });
      return;
    }
    deps.sendToRenderer(IPC.event, deps.snapshotEvent());
  });

  return {
    forward: (event) => deps.sendToRenderer(IPC.event, event),
    navigate: (request) => deps.sendToRenderer(IPC.navigate, request),
    dispose: () => {
      ipc.removeHandler(IPC.command);
      ipc.removeAllListeners(IPC.resync);
    },
  };
}
