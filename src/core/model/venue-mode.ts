/** How real an account's venue is: SIM (the built-in simulated venue), PAPER (a broker's paper account), LIVE (real money). */
export const VENUE_MODES = ['SIM', 'PAPER', 'LIVE'] as const;
export type VenueMode = (typeof VENUE_MODES)[number];
