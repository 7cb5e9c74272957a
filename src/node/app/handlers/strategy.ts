/**
 * The strategy commands (issue 18): definitions (save, delete, import, export), runs (start, pause,
 * halt, manual exit) and a run's audit log. The strategy service (app/strategy) does the work; a
 * failure is a command failure naming the command and what it was about.
 */
import type { StrategyAuditWire, StrategyDefinition, StrategyRuntimeWire } from '../../../shared/strategy';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

export interface StrategyPort {
  definitions(): StrategyDefinition[];
  runs(): StrategyRuntimeWire[];
  save(definition: StrategyDefinition): StrategyDefinition;
  remove(id: string): boolean;
  importJson(json: string): { saved: StrategyDefinition[]; errors: { index: number; errors: string[] }[] };
  exportJson(ids: readonly string[] | undefined): string;
  start(strategyId: string, now: boolean): Promise<StrategyRuntimeWire>;
  pause(runId: string, paused: boolean): StrategyRuntimeWire;
  halt(runId: string, reason: string): Promise<StrategyRuntimeWire>;
  exit(runId: string, leg: number | undefined): Promise<StrategyRuntimeWire>;
  audit(runId: string, afterEventId: number | undefined, limit: number | undefined): StrategyAuditWire[];
}

type Names = 'strategy.list' | 'strategy.save' | 'strategy.delete' | 'strategy.import' | 'strategy.export' | 'strategy.start' | 'strategy.pause' | 'strategy.halt' | 'strategy.exit' | 'strategy.audit';

export function strategyHandlers(port: StrategyPort): HandlersFor<Names> {
  const failing = async <T>(what: string, f: () => T | Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if (err instanceof CommandFailure) throw err;
      throw new CommandFailure({ code: 'failed', message: `${what}: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  return {
    'strategy.list': () => ({ definitions: port.definitions(), runs: port.runs() }),
    'strategy.save': (p) => failing(`strategy.save ${p.definition.id}`, () => ({ definition: port.save(p.definition) })),
    'strategy.delete': (p) => failing(`strategy.delete ${p.id}`, () => ({ deleted: port.remove(p.id) })),
    'strategy.import': (p) => failing('strategy.import', () => port.importJson(p.json)),
    'strategy.export': (p) => failing('strategy.export', () => ({ json: port.exportJson(p.ids) })),
    'strategy.start': (p) => failing(`strategy.start ${p.strategy_id}`, async () => ({ run: await port.start(p.strategy_id, p.now ?? false) })),
    'strategy.pause': (p) => failing(`strategy.pause ${p.run_id}`, () => ({ run: port.pause(p.run_id, p.paused) })),
    'strategy.halt': (p) => failing(`strategy.halt ${p.run_id}`, async () => ({ run: await port.halt(p.run_id, p.reason) })),
    'strategy.exit': (p) => failing(`strategy.exit ${p.run_id}`, async () => ({ run: await port.exit(p.run_id, p.leg) })),
    'strategy.audit': (p) => failing(`strategy.audit ${p.run_id}`, () => ({ events: port.audit(p.run_id, p.after_event_id, p.limit) })),
  };
}
