// Cursors are ULIDs: 10 Crockford base-32 characters of milliseconds since the epoch, then 16
// of randomness. Reading the time lets the client reason about how far apart two cursors are.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;

/** The millisecond timestamp of a ULID cursor, or `undefined` when it is not one. */
export function cursorTime(cursor: string): number | undefined {
  if (cursor.length !== 26) return undefined;
  let ms = 0;
  for (let i = 0; i < TIME_LENGTH; i++) {
    const digit = ALPHABET.indexOf(cursor.charAt(i).toUpperCase());
    if (digit < 0) return undefined;
    ms = ms * 32 + digit;
  }
  return ms;
}

/**
 * The lowest ULID of millisecond `ms`: every event published at or after `ms` sorts after it.
 * Used as a resume point when the client has seen no event yet (see resume.ts).
 */
export function cursorAt(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  let time = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    time = ALPHABET.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  return time + '0'.repeat(16);
}
