// Reconnect delays: exponential backoff with "full jitter" (a uniformly random delay between
// 0 and the exponential ceiling). Full jitter spreads a crowd of clients that lost the server
// at the same instant, so a restarting server is not hit by all of them at once.

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
  return Math.floor(random() * backoffCeiling(attempt, options));
}
