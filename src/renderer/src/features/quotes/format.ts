/** Display formatting: the one place where values are rounded, and only for display. */
export function formatPrice(v: number | null): string {
  return v === null ? '—' : v.toFixed(2);
}

export function formatAge(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 120) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export type AgeLevel = 'fresh' | 'aging' | 'stale';

export function ageLevel(ms: number | null, staleMs = 5000): AgeLevel {
  if (ms === null || ms > staleMs) return 'stale';
  return ms > staleMs / 2 ? 'aging' : 'fresh';
}
