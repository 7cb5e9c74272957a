/**
 * A stream state's icon. Text glyphs where every font has them; the session state is an inline SVG
 * key (its old glyph, U+26BF, is missing from Debian's Chromium fonts and rendered as a box).
 */
export function StateIcon({ icon }: { icon: string }) {
  if (icon === 'key') {
    return (
      <svg data-testid="icon-key" aria-hidden width="12" height="12" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" style={{ display: 'block' }}>
        <circle cx="5" cy="8" r="3" />
        <path d="M8 8h7M12 8v3M15 8v2" />
      </svg>
    );
  }
  return <span aria-hidden>{icon}</span>;
}
