/**
 * The Replay page's commands (issue 21): the days to replay, the import, a run's start and controls,
 * its status, saved results. The replay service (app/replay/service.ts) does the work; a failure is
 * a command error naming what is wrong.
 */
import type { ReplayDayWire, ReplaySavedWire, ReplaySpeedWire, ReplayStatusWire } from '../../../shared/replay';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

export interface ReplayPort {
  sources(): ReplayDayWire[];
  import(name: string, csv: string | undefined, path: string | undefined): { ok: boolean; day: ReplayDayWire | null; errors: string[] };
  start(dayId: string, strategyIds: readonly string[], speed: ReplaySpeedWire | undefined): Promise<ReplayStatusWire>;
  control(action: 'pause' | 'resume' | 'step' | 'stop' | 'speed' | 'seek', speed: ReplaySpeedWire | undefined, time: number | undefined): Promise<ReplayStatusWire>;
  status(sincePoints: number, sinceFeed: number): ReplayStatusWire;
  save(label: string | undefined): ReplaySavedWire;
  results(limit: number | undefined): ReplaySavedWire[];
}

type Names = 'replay.sources' | 'replay.import' | 'replay.start' | 'replay.control' | 'replay.status' | 'replay.save' | 'replay.results';

export function replayHandlers(port: ReplayPort): HandlersFor<Names> {
  const failing = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if (err instanceof CommandFailure) throw err;
      throw new CommandFailure({ code: 'failed', message: `${name}: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  return {
    'replay.sources': () => failing('replay.sources', () => ({ days: port.sources() })),
    'replay.import': (p) => failing('replay.import', () => port.import(p.name, p.csv, p.path)),
    'replay.start': (p) => failing('replay.start', async () => ({ status: await port.start(p.day_id, p.strategy_ids, p.speed) })),
    'replay.control': (p) => failing('replay.control', async () => ({ status: await port.control(p.action, p.speed, p.time) })),
    'replay.status': (p) => ({ status: port.status(p.since_points ?? 0, p.since_feed ?? 0) }),
    'replay.save': (p) => failing('replay.save', () => ({ saved: port.save(p.label) })),
    'replay.results': (p) => failing('replay.results', () => ({ results: port.results(p.limit) })),
  };
}
