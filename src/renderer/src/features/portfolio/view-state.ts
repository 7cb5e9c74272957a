/**
 * The portfolio page's own view state (which structures are expanded, which one the payoff chart
 * shows, open vs all positions) — kept outside the page so it survives switching pages. UI-only:
 * the desk store stays written by the transport alone.
 */
import { create } from 'zustand';
import type { PositionFilter } from './position-keys';
import type { PositionLayout } from './grouped-rows';

/** The group / flat choice is a UI preference: remembered across restarts (localStorage). */
export const LAYOUT_STORAGE_KEY = 'live-desk:positions-layout';

export function readLayout(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): PositionLayout {
  try {
    return storage?.getItem(LAYOUT_STORAGE_KEY) === 'flat' ? 'flat' : 'grouped';
  } catch {
    return 'grouped';
  }
}

function writeLayout(layout: PositionLayout): void {
  try {
    globalThis.localStorage?.setItem(LAYOUT_STORAGE_KEY, layout);
  } catch {
    // storage unavailable (private mode): the choice lasts for this session only
  }
}

interface PortfolioViewState {
  expanded: Record<string, boolean>;
  /** Grouped by structure (legs under their structure) or flat (one row per position). */
  layout: PositionLayout;
  /** Structures whose legs are folded away in the grouped table (legs show by default). */
  collapsed: Record<string, boolean>;
  setLayout: (l: PositionLayout) => void;
  toggleCollapsed: (id: string) => void;
  payoffStructure: string | null;
  filter: PositionFilter;
  /** `at` of the portfolio error the trader dismissed (a newer rejection shows again). */
  dismissedErrorAt: number | null;
  dismissError: (at: number | null) => void;
  toggleExpanded: (id: string) => void;
  selectPayoff: (id: string) => void;
  setFilter: (f: PositionFilter) => void;
}

export const usePortfolioView = create<PortfolioViewState>((set) => ({
  expanded: {},
  layout: readLayout(),
  collapsed: {},
  setLayout: (layout) => {
    writeLayout(layout);
    set({ layout });
  },
  toggleCollapsed: (id) => set((s) => ({ collapsed: { ...s.collapsed, [id]: !s.collapsed[id] } })),
  payoffStructure: null,
  filter: 'open',
  dismissedErrorAt: null,
  dismissError: (at) => set({ dismissedErrorAt: at }),
  toggleExpanded: (id) => set((s) => ({ expanded: { ...s.expanded, [id]: !s.expanded[id] } })),
  selectPayoff: (id) => set({ payoffStructure: id }),
  setFilter: (filter) => set({ filter }),
}));
