/** The portfolio file: load (becomes the watched file) and reload (node/live-portfolio.ts does the work). */
import type { PortfolioStatusWire } from '../../../shared/contract';
import type { HandlersFor } from '../commands';

export interface PortfolioPort {
  loadPortfolioCommand(path: string): Promise<PortfolioStatusWire>;
  reloadPortfolio(): Promise<PortfolioStatusWire>;
}

export function portfolioHandlers(port: PortfolioPort): HandlersFor<'portfolio.load' | 'portfolio.reload'> {
  return {
    'portfolio.load': (p) => port.loadPortfolioCommand(p.path),
    'portfolio.reload': () => port.reloadPortfolio(),
  };
}
