/** `snapshot.get`: the full desk state (docs/events.md § The snapshot). */
import type { DeskSnapshot } from '../../../shared/contract';
import type { HandlersFor } from '../commands';

export interface SnapshotPort {
  snapshot(): DeskSnapshot;
}

export function snapshotHandlers(port: SnapshotPort): HandlersFor<'snapshot.get'> {
  return { 'snapshot.get': () => port.snapshot() };
}
