/** Canvas colours per scheme (uPlot draws on canvas, so CSS variables do not reach it). */
export interface ChartColors {
  axis: string;
  grid: string;
  line: string;
  pos: string;
  neg: string;
  gap: string;
  live: string;
  zero: string;
  text: string;
}

export function chartColors(scheme: 'dark' | 'light'): ChartColors {
  return scheme === 'dark'
    ? { axis: '#a6a7ab', grid: 'rgba(255,255,255,0.07)', line: '#4dabf7', pos: '#38d9a9', neg: '#ff6b6b', gap: 'rgba(255,146,43,0.16)', live: '#fcc419', zero: 'rgba(255,255,255,0.35)', text: '#c1c2c5' }
    : { axis: '#495057', grid: 'rgba(0,0,0,0.07)', line: '#1c7ed6', pos: '#087f5b', neg: '#c92a2a', gap: 'rgba(253,126,20,0.14)', live: '#e67700', zero: 'rgba(0,0,0,0.35)', text: '#343a40' };
}
