// A bell struck through: the reader muted the conversation. An image with a name, so that a
// screen reader says it where the eye sees it.

export function MutedIcon({ label }: { label: string }) {
  return (
    <span className="muted-icon" role="img" aria-label={label} title={label}>
      <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
        <path d="M6 8a6 6 0 0 1 9.3-5M18 8c0 7 3 9 3 9H9M6 8c0 5-1.5 7.5-2.4 8.5" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0M3 3l18 18" strokeLinecap="round" />
      </svg>
    </span>
  );
}
