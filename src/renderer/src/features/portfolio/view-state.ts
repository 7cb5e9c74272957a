/**
 * The portfolio page's own view state (which structures are expanded, which one the payoff chart
 * shows, open vs all positions) — kept outside the page so it survives switching pages. UI-only:
 * the desk store stays written by the transport alone.
 */
import { create } from 'zustand';
import type { PositionFilter } from './position-keys';

interface PortfolioViewState {
  expanded: Record<string, boolean>;
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
  payoffStructure: null,
  filter: 'open',
  dismissedErrorAt: null,
  dismissError: (at) => set({ dismissedErrorAt: at }),
  toggleExpanded: (id) => set((s) => ({ expanded: { ...s.expanded, [id]: !s.expanded[id] } })),
  selectPayoff: (id) => set({ payoffStructure: id }),
  setFilter: (filter) => set({ filter }),
}));
