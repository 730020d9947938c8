// Reconnect delays: exponential backoff with "full jitter" (a uniformly random delay between
// 0 and the exponential ceiling). Full jitter spreads a crowd of clients that lost the server
// at the same instant, so a restarting server is not hit by all of them at once. Rotations are
// jittered the same way: a crowd that connected together (after a deploy or an outage) does
// not rotate together.

export interface BackoffOptions {
  /** Ceiling of the first retry, in ms. Default 500. */
  baseMs?: number;
  /** The ceiling never exceeds this, in ms. Default 30 000. */
  maxMs?: number;
}

/** The ceiling of attempt `attempt` (0 for the first retry): min(max, base · 2^attempt). */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  // 2^attempt overflows to Infinity for large attempts; min() keeps it at max.
  return Math.min(max, base * 2 ** Math.max(0, attempt));
}

/** A delay in [0, ceiling) for attempt `attempt`, `random` returning values in [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  return fullJitter(backoffCeiling(attempt, options), random);
}

/** The share of `rotateAfterMs` over which rotations are spread: its last fifth. */
export const ROTATION_JITTER = 0.2;

/**
 * How long after a socket opened to rotate it: a uniformly random point in
 * `(rotateAfterMs · (1 - ROTATION_JITTER), rotateAfterMs]`, never later than `rotateAfterMs`
 * (which stays below the server's 2-hour limit). Sockets opened at the same instant then
 * rotate spread over that window: 50 000 of them at the default 1 h 55 over 23 minutes, about
 * 36 new connections a second, instead of all in the same second.
 */
export function rotationDelay(rotateAfterMs: number, random: () => number = Math.random): number {
  return rotateAfterMs - fullJitter(rotateAfterMs * ROTATION_JITTER, random);
}

/** A whole number of ms in [0, ceiling), `random` returning values in [0, 1). */
function fullJitter(ceiling: number, random: () => number): number {
  return Math.floor(random() * ceiling);
}
